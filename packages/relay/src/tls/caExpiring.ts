import type { X509Certificate } from 'node:crypto';

const DAY_MS = 86_400_000;
/** From this long before the CA's end on, the relay says so (like a leaf's 30-day warning). */
export const CA_WARN_DAYS = 30;

/**
 * True when the CA ends within CA_WARN_DAYS of `now` (or has ended). Every server certificate
 * under it ends with it, so renewing the server certificate cannot help: a new CA must be
 * installed on every device.
 */
export function caExpiresSoon(ca: X509Certificate, now: Date): boolean {
  return Date.parse(ca.validTo) - now.getTime() < CA_WARN_DAYS * DAY_MS;
}

/** Whole days until the CA ends (negative once it has). */
export function caDaysLeft(ca: X509Certificate, now: Date): number {
  return Math.floor((Date.parse(ca.validTo) - now.getTime()) / DAY_MS);
}

/**
 * What the operator should do about a CA that ends soon: `dir` is where `--tls auto` keeps it,
 * undefined for a company CA given with --tls-ca.
 */
export function caExpiringAdvice(ca: X509Certificate, dir: string | undefined): string {
  const until = new Date(ca.validTo).toISOString();
  const what = `the CA certificate ends on ${until}, and every server certificate under it ends with it`;
  return dir === undefined
    ? `${what}: get a new CA and server certificate from whoever issues them, and install the new CA on every device before then`
    : `${what} (renewing the server certificate cannot help). Before then, stop the relay, move ca.crt and ca.key out of ${dir}, run \`kitchen-sync-relay cert\` (or start the relay) to make a new CA, and install it on every device (/setup)`;
}
