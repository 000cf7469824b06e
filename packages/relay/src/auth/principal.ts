import type { Id, Role } from '@kitchen-sync/protocol';

/** Who is talking to the relay, as its token says. Ids are compared by string form. */
export interface Principal {
  sub: string;
  role: Role;
  /** The outlet as the token spelled it (1 or "1"), echoed in presence events. */
  outletId: Id;
  outlet: string;
  /** `null` = every tenant of the outlet. */
  tenants: string[] | null;
  /** The token's `exp` in ms; absent for a token-less client under `--insecure-no-auth`. */
  expiresAtMs?: number;
}
