/**
 * What the page's and the relay's addresses say about how a browser will treat the link,
 * before a single request is made.
 */

/** Hosts a browser treats as potentially trustworthy even over http (Secure Contexts §3.2). */
const LOOPBACK = /^(localhost|.+\.localhost|::1|127(\.\d+){3})$/;

/** Private and link-local addresses, and names that only exist on a LAN. */
const LAN =
  /^(10(\.\d+){3}|192\.168(\.\d+){2}|172\.(1[6-9]|2\d|3[01])(\.\d+){2}|169\.254(\.\d+){2}|f[cd][0-9a-f]*:.*|fe[89ab][0-9a-f]*:.*|[^.:]+|.+\.(local|lan|internal|home\.arpa))$/;

function hostOf(url: string | undefined): { protocol: string; host: string } | null {
  try {
    const { protocol, hostname } = new URL(url ?? '');
    return { protocol, host: hostname.toLowerCase().replace(/^\[|\]$/g, '') };
  } catch {
    return null;
  }
}

export function isLoopbackUrl(url: string): boolean {
  const parsed = hostOf(url);
  return parsed !== null && LOOPBACK.test(parsed.host);
}

/**
 * Whether the page was served over https. Mixed-content blocking follows the page's scheme,
 * not `isSecureContext`: `http://localhost` is a secure context, and Chromium lets it reach an
 * http:// relay on the LAN.
 */
export function isHttpsPage(pageUrl: string | undefined): boolean {
  return hostOf(pageUrl)?.protocol === 'https:';
}

/**
 * An https page cannot open ws:// nor fetch http:// (mixed content), except on loopback,
 * which browsers treat as trustworthy. `pageIsHttps`: see `isHttpsPage`.
 */
export function isBlockedAsMixedContent(relayUrl: string, pageIsHttps: boolean): boolean {
  const relay = hostOf(relayUrl);
  return pageIsHttps && /^(http|ws):$/.test(relay?.protocol ?? '') && !LOOPBACK.test(relay!.host);
}

/**
 * Whether the browser's Local Network Access check stands between the page and the relay: a
 * page from a public origin reaching the relay. A page served on the LAN (or by the relay
 * itself) is in the relay's address space and never asked. A relay named in public DNS may
 * still resolve to a LAN address, so any relay counts.
 */
export function crossesIntoLocalNetwork(relayUrl: string, pageUrl: string | undefined): boolean {
  const relay = hostOf(relayUrl);
  const page = hostOf(pageUrl);
  if (!relay || !page || !/^https?:$/.test(page.protocol)) return false;
  return page.host !== relay.host && !LOOPBACK.test(page.host) && !LAN.test(page.host);
}

/** The relay's onboarding page (CA download, per-platform steps); only an https relay has one. */
export function relaySetupUrl(relayUrl: string): string | undefined {
  const relay = hostOf(relayUrl);
  return relay && /^(https|wss):$/.test(relay.protocol)
    ? `https://${new URL(relayUrl).host}/setup`
    : undefined;
}

/**
 * The relay's address as socket.io and fetch both take it: `ws://` and `wss://` become
 * `http://` and `https://` (fetch cannot open a WebSocket URL: the outbox, the polling
 * fallback and the probe would fail forever), without a trailing slash.
 */
export function httpRelayUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//i, 'http$1://').replace(/\/+$/, '');
}
