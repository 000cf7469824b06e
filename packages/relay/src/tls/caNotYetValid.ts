import type { X509Certificate } from 'node:crypto';
import { clockIsWrong } from './clock.js';

/**
 * True when the outlet CA starts after `now`: it was made while the clock was ahead. Devices
 * refuse every certificate under it until then, and re-issuing the server certificate cannot
 * help. A clock before this release cannot tell, so it never says so.
 */
export function caNotYetValid(ca: X509Certificate, now: Date): boolean {
  return !clockIsWrong(now) && Date.parse(ca.validFrom) > now.getTime();
}

/** What the operator should do about an outlet CA in `dir` that has not started yet. */
export function caNotYetValidAdvice(ca: X509Certificate, dir: string): string {
  const from = new Date(ca.validFrom).toISOString();
  return (
    `the outlet CA is valid only from ${from}: it was made while this machine's clock was ahead, ` +
    'and tablets refuse the relay until then; a new server certificate cannot fix that. ' +
    `Stop the relay, move ca.crt and ca.key out of ${dir}, start it again and install the new ` +
    'CA on every tablet (/setup), or wait until then'
  );
}
