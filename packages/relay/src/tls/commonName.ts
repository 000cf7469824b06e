import type { X509Certificate } from 'node:crypto';

/**
 * The subject common name of `certificate` ("ACME Company CA"): what a device's certificate
 * settings list it by. The whole subject when it has no CN.
 */
export function commonNameOf(certificate: X509Certificate): string {
  const cn = certificate.subject.split('\n').find((part) => part.startsWith('CN='));
  return cn ? cn.slice('CN='.length) : certificate.subject.replace(/\n/g, ', ');
}
