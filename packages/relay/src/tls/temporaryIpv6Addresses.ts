import { readFileSync } from 'node:fs';
import { canonicalAddress } from './hostName.js';

/** IFA_F_TEMPORARY in the flags column of /proc/net/if_inet6 (linux/if_addr.h). */
const IFA_F_TEMPORARY = 0x01;

/**
 * IPv6 privacy addresses (RFC 8981) of this machine, canonical. The kernel makes them for
 * outgoing connections and replaces them every day or so; nobody is given one to connect to,
 * so a certificate naming them only goes stale and makes the relay re-issue at each rotation.
 * Only Linux lists them (/proc/net/if_inet6); elsewhere (Windows, macOS) or where that file
 * cannot be read, none are known and every address counts.
 */
export function temporaryIpv6Addresses(readTable: () => string = readLinuxTable): Set<string> {
  let table: string;
  try {
    table = readTable();
  } catch {
    return new Set();
  }
  const found = new Set<string>();
  for (const line of table.split('\n')) {
    // address (32 hex digits), interface index, prefix length, scope, flags, interface name
    const row = /^([0-9a-f]{32})\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)\s/i.exec(line.trim());
    if (!row?.[1] || !row[2]) continue;
    if ((Number.parseInt(row[2], 16) & IFA_F_TEMPORARY) === 0) continue;
    found.add(canonicalAddress(row[1].replace(/(.{4})(?!$)/g, '$1:')));
  }
  return found;
}

function readLinuxTable(): string {
  if (process.platform !== 'linux') throw new Error(`no /proc/net/if_inet6 on ${process.platform}`);
  return readFileSync('/proc/net/if_inet6', 'utf8');
}
