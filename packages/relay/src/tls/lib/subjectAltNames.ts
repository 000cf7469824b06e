import type { X509Certificate } from 'node:crypto';
import { canonicalAddress } from '../hostName.js';

/**
 * The certificate's SAN entries as 'DNS:name' and 'IP:address' (addresses in canonical form,
 * so they compare equal to what we asked for); other entry kinds are kept as Node prints them.
 */
export function subjectAltNames(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName;
  if (!text) return [];
  // Node separates entries with ", " and quotes an entry that itself holds one.
  const entries = text.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return entries.map((raw) => {
    const entry = raw.trim();
    if (entry.startsWith('IP Address:')) {
      return `IP:${canonicalAddress(entry.slice('IP Address:'.length))}`;
    }
    if (entry.startsWith('DNS:')) return `DNS:${entry.slice(4).toLowerCase()}`;
    return entry;
  });
}
