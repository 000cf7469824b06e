import { isIP } from 'node:net';
import { lanAddresses } from '../tls/lanAddresses.js';

const WILDCARDS = new Set(['0.0.0.0', '[::]']);

/**
 * Where a person opens /setup on a tablet. A relay listening on every interface reports
 * `https://0.0.0.0:3001`, which no tablet can open: list the machine's LAN addresses instead
 * (this machine's own name when it has none, e.g. unplugged).
 */
export function setupUrls(listenUrl: string, addresses: () => string[] = lanAddresses): string[] {
  const url = new URL('/setup', listenUrl);
  if (!WILDCARDS.has(url.hostname)) return [url.href];
  const hosts = addresses();
  return (hosts.length > 0 ? hosts : ['localhost']).map((host) => {
    const at = new URL(url.href);
    at.hostname = isIP(host) === 6 ? `[${host}]` : host;
    return at.href;
  });
}
