import { isIP } from 'node:net';
import { lanAddresses } from '../tls/lanAddresses.js';

const WILDCARDS = new Set(['0.0.0.0', '[::]']);

/** A relay bound to one of these is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\./.test(bare);
}

/**
 * Where a tablet opens /setup on a relay bound to `host` (`/health` `host`): the LAN addresses
 * for every interface, else that address alone (the relay listens nowhere else).
 */
export function boundSetupUrls(
  baseUrl: string,
  host: string | undefined,
  addresses: () => string[] = lanAddresses,
): string[] {
  if (host === undefined || host === '0.0.0.0' || host === '::') {
    return lanSetupUrls(baseUrl, addresses);
  }
  const at = new URL('/setup', baseUrl);
  at.hostname = isIP(host) === 6 ? `[${host}]` : host;
  return [at.href];
}

/**
 * `/setup` at `baseUrl`'s scheme and port on each of this machine's LAN addresses (this
 * machine's own name when it has none, e.g. unplugged): where a tablet can open it.
 */
export function lanSetupUrls(baseUrl: string, addresses: () => string[] = lanAddresses): string[] {
  const hosts = addresses();
  return (hosts.length > 0 ? hosts : ['localhost']).map((host) => {
    const at = new URL('/setup', baseUrl);
    at.hostname = isIP(host) === 6 ? `[${host}]` : host;
    return at.href;
  });
}

/**
 * Where a person opens /setup on a tablet. A relay listening on every interface reports
 * `https://0.0.0.0:3001`, which no tablet can open: then the LAN addresses instead.
 */
export function setupUrls(listenUrl: string, addresses: () => string[] = lanAddresses): string[] {
  const url = new URL('/setup', listenUrl);
  return WILDCARDS.has(url.hostname) ? lanSetupUrls(url.href, addresses) : [url.href];
}
