/**
 * What the page's and the relay's addresses say about how a browser will treat the link,
 * before a single request is made.
 */

/** Hosts a browser treats as potentially trustworthy even over http (RFC 6761, Secure Contexts). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** A private, link-local or loopback address, or a name that only exists on a LAN. */
export function isLocalNetworkHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopbackHost(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (host.includes(':')) return /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  return !host.includes('.') || /\.(local|lan|internal|home\.arpa|localdomain)$/.test(host);
}

function parse(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * A secure page cannot open ws:// nor fetch http:// (mixed content), except on loopback,
 * which browsers treat as trustworthy.
 */
export function isBlockedAsMixedContent(relayUrl: string, pageIsSecure: boolean): boolean {
  const relay = parse(relayUrl);
  if (!pageIsSecure || !relay) return false;
  return (
    (relay.protocol === 'http:' || relay.protocol === 'ws:') && !isLoopbackHost(relay.hostname)
  );
}

/**
 * Whether the browser's Local Network Access check stands between the page and the relay: a
 * page from a public origin reaching a LAN address. A page served on the LAN (or by the relay
 * itself) is in the same address space and never asked.
 */
export function crossesIntoLocalNetwork(relayUrl: string, pageUrl: string | undefined): boolean {
  const relay = parse(relayUrl);
  const page = parse(pageUrl);
  if (!relay || !page || !/^https?:$/.test(page.protocol)) return false;
  if (page.hostname === relay.hostname || isLocalNetworkHost(page.hostname)) return false;
  // A relay named in public DNS may still resolve to a LAN address: the browser may ask.
  return true;
}

/** The relay's onboarding page (CA download, per-platform steps); only an https relay has one. */
export function relaySetupUrl(relayUrl: string): string | undefined {
  const relay = parse(relayUrl);
  if (!relay || (relay.protocol !== 'https:' && relay.protocol !== 'wss:')) return undefined;
  return `https://${relay.host}/setup`;
}
