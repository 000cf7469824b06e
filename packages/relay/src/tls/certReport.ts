import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OutletCertificate } from './outletCertificate.js';

const WHY: Record<NonNullable<OutletCertificate['issued']>, string> = {
  missing: 'there was none',
  damaged: 'the old one could not be read or did not match its key',
  expiring: 'the old one had less than the renewal window left',
  addresses_changed: "this machine's addresses changed",
  names_changed: 'the names changed',
  ca_changed: 'the CA changed',
};

/** What `kitchen-sync-relay cert` prints: where the files are and what the certificate covers. */
export function certReport(result: OutletCertificate): string {
  const { material } = result;
  return [
    result.issued
      ? `Issued a new relay certificate (${WHY[result.issued]}).`
      : 'The relay certificate is current; nothing was issued.',
    `  CA certificate (install on every tablet): ${result.caCertPath}`,
    `  CA key (keep it on this machine only):    ${join(dirname(result.caCertPath), 'ca.key')}`,
    `  relay certificate (leaf, then CA):        ${result.certPath}`,
    `  relay key:                                ${result.keyPath}`,
    `  covers: ${material.subjectAltNames.join(', ')}`,
    `  valid:  ${material.notBefore.toISOString()} to ${material.notAfter.toISOString()}`,
    `  SHA-256 fingerprint: ${material.fingerprint256}`,
    `  CA certificate SHA-256 (compare on /setup before trusting it): ${caFingerprint(result.caCertPath)}`,
    '',
  ].join('\n');
}

/** SHA-256 of the CA certificate in `path`, as browsers and /setup show it (AB:CD:…). */
function caFingerprint(path: string): string {
  return new X509Certificate(readFileSync(path)).fingerprint256;
}
