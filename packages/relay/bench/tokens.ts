import type { Role } from '@kitchen-sync/protocol';
import { SignJWT } from 'jose';

export interface BenchClaims {
  sub: string;
  role: Role;
  outlet: number | string;
  tenants?: Array<number | string>;
}

/** An HS256 relay token, as the central backend would mint it (DESIGN §3 "Auth and tenancy"). */
export function mintToken(secret: string, claims: BenchClaims, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
