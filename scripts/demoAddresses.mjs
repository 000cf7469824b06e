import { networkInterfaces } from 'node:os';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

/** `HOST` as it goes into a URL: IPv6 literals in brackets. */
function urlHost(host) {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Where the demo's listeners can be reached, given the `HOST` they are bound to. `local` is
 * what this machine opens; `lan` lists the addresses other devices use, only when the
 * listeners are on every interface: with `HOST=127.0.0.1` nothing listens on the LAN, and
 * with one LAN address `local` is already that address.
 */
export function demoAddresses(host, interfaces = networkInterfaces()) {
  if (!ALL_INTERFACES.has(host)) return { local: urlHost(host), lan: [] };
  const lan = Object.values(interfaces)
    .flat()
    .filter((net) => net && net.family === 'IPv4' && !net.internal)
    .map((net) => net.address);
  return { local: 'localhost', lan };
}

/** The address this script itself uses to check a listener is up. */
export function probeHost(host) {
  return ALL_INTERFACES.has(host) ? '127.0.0.1' : urlHost(host);
}
