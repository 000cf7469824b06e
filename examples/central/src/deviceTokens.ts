import { type JWTPayload, jwtVerify, SignJWT } from 'jose';

export type DeviceRole = 'pos' | 'kitchen' | 'monitor' | 'board' | 'admin';

export interface DeviceTokenRequest {
  role: DeviceRole;
  outletId: string | number;
  /** The tenants a kitchen may see; absent = every tenant of the outlet. */
  tenants?: Array<string | number>;
  sub: string;
  ttlSeconds: number;
}

/** What central reads back from a token: its outlet, its tenants (absent: all of them), role. */
export interface DeviceTokenClaims {
  outlet: string;
  tenants: string[] | null;
  role: string;
}

/**
 * A device's tokens the way the Django backend mints them with PyJWT: HS256, one secret per
 * instance. Central keeps two, as Django does: relay tokens with the secret the relay holds,
 * and its own socket's tokens with a secret no relay holds (tokens.py `mint_socket_token`).
 */
export class DeviceTokens {
  #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  mint(request: DeviceTokenRequest): Promise<string> {
    const claims: Record<string, unknown> = { role: request.role, outlet: request.outletId };
    if (request.tenants) claims.tenants = request.tenants;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuedAt()
      .setExpirationTime(`${request.ttlSeconds}s`)
      .sign(this.#key);
  }

  /** The claims of a token signed with this secret that has not expired; null otherwise. */
  async verify(token: string | null): Promise<DeviceTokenClaims | null> {
    if (!token) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] }));
    } catch {
      return null;
    }
    const { outlet, tenants, role } = payload as {
      outlet?: unknown;
      tenants?: unknown;
      role?: unknown;
    };
    if (typeof outlet !== 'string' && typeof outlet !== 'number') return null;
    if (tenants !== undefined && !Array.isArray(tenants)) return null;
    if (typeof role !== 'string') return null;
    return { outlet: String(outlet), tenants: tenants ? tenants.map(String) : null, role };
  }
}
