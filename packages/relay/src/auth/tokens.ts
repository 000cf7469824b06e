import {
  type Id,
  idKey,
  KitchenSyncError,
  LIMITS,
  type Role,
  TokenClaimsSchema,
  type TokenRefusalReason,
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

/**
 * A refused token: `unauthorized` with the reason's code and the name the token gives its
 * device (unverified: for the operator's log only), so the refusal can be logged and counted.
 */
export function tokenRefusal(
  reason: TokenRefusalReason,
  message: string,
  token?: string,
  /** What the device is told beside the reason (`outlet_not_served`: the token's `outlet`). */
  hint?: Record<string, string>,
): KitchenSyncError {
  return new KitchenSyncError('unauthorized', message, {
    reason,
    claimedSub: claimedSubOf(token),
    ...(hint ? { hint } : {}),
  });
}

/** What a refused device is told beside the reason (handshake `data`, a 401's `error`). */
export function refusalHintOf(error: unknown): Record<string, string> {
  const hint = (error as KitchenSyncError | undefined)?.details?.hint;
  return typeof hint === 'object' && hint !== null ? (hint as Record<string, string>) : {};
}

/** The token's `sub` without checking anything: who the refused device says it is. */
function claimedSubOf(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const { sub } = decodeJwt(token);
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The reason code of a refusal made here (`token_malformed` for anything else). */
export function refusalReasonOf(error: unknown): TokenRefusalReason {
  const reason = (error as KitchenSyncError | undefined)?.details?.reason;
  return typeof reason === 'string' ? (reason as TokenRefusalReason) : 'token_malformed';
}

function toPrincipal(claims: unknown, exp?: number, token?: string): Principal {
  const checked = validate(TokenClaimsSchema, claims);
  if (!checked.ok) throw tokenRefusal('token_claims_invalid', 'token claims are invalid', token);
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
      let claims: JWTPayload;
      try {
        claims = decodeJwt(token);
      } catch {
        throw tokenRefusal('token_malformed', 'token is malformed');
      }
      return toPrincipal(claims, undefined, token);
    };
  }
  const key = keyOf(secret);
  return async (token) => {
    if (!token) throw tokenRefusal('token_missing', 'a token is required');
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
      const [reason, message] = refusalReason(error, nowMs);
      throw tokenRefusal(reason, message, token);
    }
    const behind = clockBehindBy(payload.iat, nowMs / 1000);
    if (behind !== undefined) options.onClockBehind?.(behind);
    const problem = lifetimeProblem(payload.exp!, payload.iat, nowMs / 1000);
    if (problem) throw tokenRefusal('token_lifetime', problem, token);
    return toPrincipal(payload, payload.exp, token);
  };
}

/** What the device is told: an expired token or a clock problem is worth telling apart. */
function refusalReason(error: unknown, nowMs: number): [TokenRefusalReason, string] {
  const { code, claim } = error as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return ['token_expired', 'token expired'];
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (claim === 'nbf' || claim === 'iat')) {
    return [
      'token_not_yet_valid',
      `token is not valid yet by the relay's clock (${new Date(nowMs).toISOString()}): check the relay machine's clock`,
    ];
  }
  // Signed with another secret (a rotated or mistyped --secret-file on either side).
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
    return ['invalid_signature', 'token is invalid'];
  }
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    return ['token_claims_invalid', 'token is invalid'];
  return ['token_malformed', 'token is invalid'];
}
