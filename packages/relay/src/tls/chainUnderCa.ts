import type { X509Certificate } from 'node:crypto';
import { CLOCK_FLOOR, clockIsWrong } from './clock.js';
import { commonNameOf } from './commonName.js';
import { TlsError } from './TlsError.js';

export interface ChainUnderCaPaths {
  certPath: string;
  caPath: string;
}

/**
 * The CA the relay hands out (/ca.crt, /setup) is what devices install to trust it: one that
 * did not issue the served chain, or has expired, would leave every tablet `relay_untrusted`.
 * The chain is under the CA when the CA is its last certificate, or it signed the leaf or one of
 * the intermediates. A CA that has not started yet is left to the caller (see caNotYetValid.ts);
 * a clock before this release judges expiry against the floor, as for the leaf.
 */
export function assertChainUnderCa(
  chain: readonly X509Certificate[],
  ca: X509Certificate,
  { certPath, caPath }: ChainUnderCaPaths,
  now: Date,
): void {
  const judged = clockIsWrong(now) ? CLOCK_FLOOR : now;
  const notAfter = new Date(ca.validTo);
  if (notAfter.getTime() <= judged.getTime()) {
    throw new TlsError(
      'tls_ca_expired',
      `the CA certificate ${caPath} expired on ${notAfter.toISOString()}: devices refuse every certificate under it; give the CA's current certificate`,
      { path: caPath },
    );
  }
  if (!chainUnderCa(chain, ca)) {
    const issuer = chain[chain.length - 1]?.issuer.replace(/\n/g, ', ');
    throw new TlsError(
      'tls_ca_mismatch',
      `the CA certificate ${caPath} ("${commonNameOf(ca)}") did not issue the certificate ${certPath} nor any certificate of its chain (issued by "${issuer}"): devices that install it would still refuse the relay; give the CA that issued it`,
      { path: caPath },
    );
  }
}

/** True when `ca` is the chain's last certificate or signed one of its certificates. */
export function chainUnderCa(chain: readonly X509Certificate[], ca: X509Certificate): boolean {
  const last = chain[chain.length - 1];
  if (last?.raw.equals(ca.raw)) return true;
  return chain.some((certificate) => issuedBy(certificate, ca));
}

function issuedBy(certificate: X509Certificate, ca: X509Certificate): boolean {
  // checkIssued compares names and key identifiers only: the signature proves it.
  if (!certificate.checkIssued(ca)) return false;
  try {
    return certificate.verify(ca.publicKey);
  } catch {
    return false;
  }
}
