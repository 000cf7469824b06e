/**
 * When a token stops being good enough, in one place: the handshake, every HTTP request and
 * every command on an open socket use these.
 */

/** Clock difference tolerated between the token's issuer and the relay's PC. */
export const CLOCK_TOLERANCE_S = 30;

/**
 * The longest lifetime the relay accepts (`exp` at most this far ahead of its clock). A
 * token that never expires cannot be revoked short of rotating the secret; 400 days still
 * lets a kitchen screen run a year on one token.
 */
export const MAX_TOKEN_LIFETIME_S = 400 * 86_400;

/** `iat` may be this far ahead of the relay's clock (a terminal whose clock runs fast). */
export const MAX_ISSUED_AHEAD_S = 300;

/**
 * An open socket whose token expired has its commands refused with `unauthorized` at once
 * (the client refreshes its token and reconnects; its outbox re-sends); live events still
 * reach it for this long, so a kitchen screen that refreshes within a minute misses nothing.
 * After it the relay drops the connection.
 */
export const EXPIRED_CONNECTION_GRACE_MS = 60_000;

/** Why the token's times are unacceptable, or undefined when they are fine. */
export function lifetimeProblem(exp: number, iat: unknown, nowS: number): string | undefined {
  if (exp - nowS > MAX_TOKEN_LIFETIME_S) return 'token lifetime is over the 400-day maximum';
  if (typeof iat === 'number' && iat - nowS > MAX_ISSUED_AHEAD_S) {
    return 'token is issued in the future';
  }
  return undefined;
}

export type TokenTime = 'valid' | 'expired' | 'drop';

/** `undefined` expiry = a token-less client under `--insecure-no-auth`. */
export function tokenTime(expiresAtMs: number | undefined, nowMs: number): TokenTime {
  if (expiresAtMs === undefined) return 'valid';
  const refusedFrom = expiresAtMs + CLOCK_TOLERANCE_S * 1000;
  if (nowMs < refusedFrom) return 'valid';
  return nowMs < refusedFrom + EXPIRED_CONNECTION_GRACE_MS ? 'expired' : 'drop';
}
