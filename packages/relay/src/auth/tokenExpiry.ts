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

/**
 * `iat` this far ahead of the relay's clock says the relay's clock is behind its token issuer's
 * (logged, and named in a refusal). The token is not refused for it: every fresh token would be
 * "issued in the future" again, and the devices could never get in.
 */
export const CLOCK_BEHIND_NOTICE_S = 300;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Why the token's times are unacceptable, or undefined when they are fine. */
export function lifetimeProblem(exp: number, iat: unknown, nowS: number): string | undefined {
  if (typeof iat === 'number' && exp <= iat) return 'token expires before it was issued';
  if (exp - nowS <= MAX_TOKEN_LIFETIME_S) return undefined;
  if (typeof iat === 'number' && iat - nowS > CLOCK_BEHIND_NOTICE_S) {
    return `token lifetime is over the 400-day maximum by the relay's clock (${iso(nowS)}), which is behind the token's issuer (issued ${iso(iat)}): set the relay machine's clock`;
  }
  return 'token lifetime is over the 400-day maximum';
}

/** How far the relay's clock is behind the issuer's, when `iat` says it is noticeably. */
export function clockBehindBy(iat: unknown, nowS: number): number | undefined {
  return typeof iat === 'number' && iat - nowS > CLOCK_BEHIND_NOTICE_S ? iat - nowS : undefined;
}

/**
 * An open socket whose token expired has its commands refused with `unauthorized` at once
 * (the client refreshes its token and reconnects; its outbox re-sends); live events still
 * reach it for this long, so a kitchen screen that refreshes within a minute misses nothing.
 * After it the relay drops the connection.
 */
export const EXPIRED_CONNECTION_GRACE_MS = 60_000;

export type TokenTime = 'valid' | 'expired' | 'drop';

/** `undefined` expiry = a token-less client under `--insecure-no-auth`. */
export function tokenTime(expiresAtMs: number | undefined, nowMs: number): TokenTime {
  if (expiresAtMs === undefined) return 'valid';
  const refusedFrom = expiresAtMs + CLOCK_TOLERANCE_S * 1000;
  if (nowMs < refusedFrom) return 'valid';
  return nowMs < refusedFrom + EXPIRED_CONNECTION_GRACE_MS ? 'expired' : 'drop';
}
