import { SignJWT } from 'jose';

export type RelayRole = 'pos' | 'kitchen' | 'monitor' | 'admin';

export interface RelayTokenRequest {
  role: RelayRole;
  outletId: string | number;
  /** The tenants a kitchen may see; absent = every tenant of the outlet. */
  tenants?: Array<string | number>;
  sub: string;
  ttlSeconds: number;
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
}
