import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { canonicalAddress } from './hostName.js';
import { temporaryIpv6Addresses } from './temporaryIpv6Addresses.js';

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * Every address a tablet on the LAN could use to reach this machine: non-internal IPv4 and IPv6,
 * sorted, without duplicates. Link-local addresses are left out: IPv6 fe80:: ones need a zone
 * (`%eth0`) that neither a URL nor a certificate can carry, and IPv4 169.254.x.x ones are
 * self-assigned when DHCP fails, so they come and go and would only force needless re-issues.
 * IPv6 privacy addresses are left out for the same reason (`temporaryIpv6Addresses`).
 */
export function lanAddresses(
  interfaces: Interfaces = networkInterfaces(),
  temporary: ReadonlySet<string> = temporaryIpv6Addresses(),
): string[] {
  const found = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const address = info.address.split('%')[0] as string;
      if (isLinkLocal(address)) continue;
      const canonical = canonicalAddress(address);
      if (!temporary.has(canonical)) found.add(canonical);
    }
  }
  return [...found].sort();
}

function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address) || address.startsWith('169.254.');
}
