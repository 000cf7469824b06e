import {
  type Id,
  idKey,
  KitchenSyncError,
  LIMITS,
  type Role,
  TokenClaimsSchema,
  validate,
} from '@kitchen-sync/protocol';
import { decodeJwt, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Principal } from './principal.js';
import {
  CLOCK_TOLERANCE_S,
  clockBehindBy,
  lifetimeProblem,
  MAX_TOKEN_LIFETIME_S,
} from './tokenExpiry.js';

export interface TokenInput {
  sub: string;
  role: Role;
  outlet: Id;
  tenants?: Id[];
}

const keyOf = (secret: string | Uint8Array) =>
  typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;

/**
 * Mints an HS256 relay token. `ttl` is seconds or a jose time span such as `'30d'`, `'12h'`.
 */
export async function signToken(
  secret: string | Uint8Array,
  claims: TokenInput,
  ttl: string | number = '30d',
): Promise<string> {
  const checked = validate(TokenClaimsSchema, claims);
  if (!checked.ok) throw new KitchenSyncError('invalid_payload', checked.error.message);
  const { sub, role, outlet, tenants } = checked.value;
  const payload = tenants ? { role, outlet, tenants } : { role, outlet };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(typeof ttl === 'number' ? now + ttl : ttl)
    .sign(keyOf(secret));
  // A token the relay would refuse is better refused here, where a person is watching.
  if (decodeJwt(token).exp! - now > MAX_TOKEN_LIFETIME_S) {
    throw new KitchenSyncError('invalid_payload', 'ttl is over the 400-day maximum');
  }
  if (token.length > LIMITS.TOKEN_MAX_LENGTH) {
    throw new KitchenSyncError(
      'invalid_payload',
      `the token would be ${token.length} characters; a socket handshake takes at most ${LIMITS.TOKEN_MAX_LENGTH} (fewer tenants)`,
      { tokenLength: token.length },
    );
  }
  return token;
}

function toPrincipal(claims: unknown, exp?: number): Principal {
  const checked = validate(TokenClaimsSchema, claims);
  if (!checked.ok) throw new KitchenSyncError('unauthorized', 'token claims are invalid');
  const { sub, role, outlet, tenants } = checked.value;
  return {
    sub,
    role,
    outletId: outlet,
    outlet: idKey(outlet),
    tenants: tenants ? tenants.map(idKey) : null,
    ...(exp !== undefined ? { expiresAtMs: exp * 1000 } : {}),
  };
}

export type TokenVerifier = (token: string | undefined) => Promise<Principal | null>;

/**
 * Turns a bearer token into a principal or throws `unauthorized`. With `secret: null`
 * (`--insecure-no-auth`) a token is read without checking its signature and a missing one
 * yields `null`, which callers treat as "anyone, any outlet".
 */
export function createTokenVerifier(
  secret: string | Uint8Array | null,
  options: {
    now?: () => number;
    /** A token issued this many seconds ahead of the relay's clock (see CLOCK_BEHIND_NOTICE_S). */
    onClockBehind?: (seconds: number) => void;
  } = {},
): TokenVerifier {
  const now = options.now ?? Date.now;
  if (secret === null) {
    return async (token) => {
      if (!token) return null;
      try {
        return toPrincipal(decodeJwt(token));
      } catch {
        throw new KitchenSyncError('unauthorized', 'token is malformed');
      }
    };
  }
  const key = keyOf(secret);
  return async (token) => {
    if (!token) throw new KitchenSyncError('unauthorized', 'a token is required');
    let payload: JWTPayload;
    const nowMs = now();
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      throw new KitchenSyncError('unauthorized', refusalReason(error, nowMs));
    }
    const behind = clockBehindBy(payload.iat, nowMs / 1000);
    if (behind !== undefined) options.onClockBehind?.(behind);
    const problem = lifetimeProblem(payload.exp!, payload.iat, nowMs / 1000);
    if (problem) throw new KitchenSyncError('unauthorized', problem);
    return toPrincipal(payload, payload.exp);
  };
}

/** What the device is told: an expired token or a clock problem is worth telling apart. */
function refusalReason(error: unknown, nowMs: number): string {
  const { code, claim } = error as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'token expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (claim === 'nbf' || claim === 'iat')) {
    return `token is not valid yet by the relay's clock (${new Date(nowMs).toISOString()}): check the relay machine's clock`;
  }
  return 'token is invalid';
}
