import { TlsError } from './TlsError.js';

const DAY_MS = 86_400_000;

/**
 * No machine running this release can truly be earlier than this: the release did not exist yet.
 * A clock before it is wrong (a dead CMOS battery and no NTP), and a certificate issued by it
 * would be dated years in the past and expire long before the tablets expect. Move it forward to
 * the release date whenever a release is cut.
 */
export const CLOCK_FLOOR = new Date('2026-11-01T00:00:00Z');

/**
 * How far before the moment of issue a new certificate's notBefore lies: a tablet whose clock is
 * behind (drifted while offline, or set by hand) must not see a fresh certificate as not yet valid.
 */
export const BACKDATE_MS = DAY_MS;

/** True when `now` cannot be the real time: earlier than `floor` (default CLOCK_FLOOR). */
export function clockIsWrong(now: Date, floor: Date = CLOCK_FLOOR): boolean {
  return now.getTime() < floor.getTime();
}

/** Why nothing was issued: the clock is before this release, so it is wrong. */
export function clockWrongError(now: Date, floor: Date = CLOCK_FLOOR): TlsError {
  return new TlsError(
    'tls_clock_wrong',
    `this machine's clock says ${now.toISOString()}, before this relay was released ` +
      `(${floor.toISOString().slice(0, 10)}): set the date and time (or let it reach an NTP ` +
      'server); no certificate is made with a clock this wrong',
  );
}
