import {
  type Id,
  idKey,
  KitchenSyncError,
  type Role,
  TokenClaimsSchema,
  validate,
} from '@kitchen-sync/protocol';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import type { Principal } from './principal.js';

export interface TokenInput {
  sub: string;
  role: Role;
  outlet: Id;
  tenants?: Id[];
}

/** Accepts a few seconds of clock drift between the issuer and the relay's PC. */
const CLOCK_TOLERANCE_S = 30;

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
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(typeof ttl === 'number' ? now + ttl : ttl)
    .sign(keyOf(secret));
}

function toPrincipal(claims: unknown): Principal {
  const checked = validate(TokenClaimsSchema, claims);
  if (!checked.ok) throw new KitchenSyncError('unauthorized', 'token claims are invalid');
  const { sub, role, outlet, tenants } = checked.value;
  return {
    sub,
    role,
    outletId: outlet,
    outlet: idKey(outlet),
    tenants: tenants ? tenants.map(idKey) : null,
  };
}

export type TokenVerifier = (token: string | undefined) => Promise<Principal | null>;

/**
 * Turns a bearer token into a principal or throws `unauthorized`. With `secret: null`
 * (`--insecure-no-auth`) a token is read without checking its signature and a missing one
 * yields `null`, which callers treat as "anyone, any outlet".
 */
export function createTokenVerifier(secret: string | Uint8Array | null): TokenVerifier {
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
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch {
      throw new KitchenSyncError('unauthorized', 'token is invalid or expired');
    }
    return toPrincipal(payload);
  };
}
