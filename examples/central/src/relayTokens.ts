import { type JWTPayload, jwtVerify, SignJWT } from 'jose';

export type RelayRole = 'pos' | 'kitchen' | 'monitor' | 'admin';

export interface RelayTokenRequest {
  role: RelayRole;
  outletId: string | number;
  /** The tenants a kitchen may see; absent = every tenant of the outlet. */
  tenants?: Array<string | number>;
  sub: string;
  ttlSeconds: number;
}

/** What central reads back from a token: its outlet, and its tenants (absent: all of them). */
export interface RelayTokenClaims {
  outlet: string;
  tenants: string[] | null;
}

/** Mints relay tokens the way the Django backend does with PyJWT: HS256, shared secret. */
export class RelayTokenMinter {
  #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  mint(request: RelayTokenRequest): Promise<string> {
    const claims: Record<string, unknown> = { role: request.role, outlet: request.outletId };
    if (request.tenants) claims.tenants = request.tenants;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuedAt()
      .setExpirationTime(`${request.ttlSeconds}s`)
      .sign(this.#key);
  }

  /** The claims of a token this central signed and that has not expired; null otherwise. */
  async verify(token: string | null): Promise<RelayTokenClaims | null> {
    if (!token) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] }));
    } catch {
      return null;
    }
    const { outlet, tenants } = payload as { outlet?: unknown; tenants?: unknown };
    if (typeof outlet !== 'string' && typeof outlet !== 'number') return null;
    if (tenants !== undefined && !Array.isArray(tenants)) return null;
    return { outlet: String(outlet), tenants: tenants ? tenants.map(String) : null };
  }
}
