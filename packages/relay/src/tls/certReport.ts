import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { caExpiresSoon, caExpiringAdvice } from './caExpiring.js';
import { caNotYetValid, caNotYetValidAdvice } from './caNotYetValid.js';
import type { OutletCertificate } from './outletCertificate.js';

const WHY: Record<NonNullable<OutletCertificate['issued']>, string> = {
  missing: 'there was none',
  damaged: 'the old one could not be read or did not match its key',
  expiring: 'the old one had less than the renewal window left',
  addresses_changed: "this machine's addresses changed",
  names_changed: 'the names changed',
  ca_changed: 'the CA changed',
  not_yet_valid: 'the old one starts in the future: it was issued while the clock was ahead',
};

/** What `kitchen-sync-relay cert` prints: where the files are and what the certificate covers. */
export function certReport(result: OutletCertificate, now: Date = new Date()): string {
  const { material } = result;
  const ca = new X509Certificate(readFileSync(result.caCertPath));
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
    `  CA certificate SHA-256 (compare on /setup before trusting it): ${ca.fingerprint256}`,
    ...(caNotYetValid(ca, now)
      ? [`  Warning: ${caNotYetValidAdvice(ca, dirname(result.caCertPath))}.`]
      : []),
    ...(caExpiresSoon(ca, now)
      ? [`  Warning: ${caExpiringAdvice(ca, dirname(result.caCertPath))}.`]
      : []),
    '',
  ].join('\n');
}
