import type { Role } from '@kitchen-sync/protocol';
import type { Principal } from './principal.js';

export type Action = 'publish' | 'update' | 'ack' | 'read' | 'admin';

// pos publishes and updates; kitchen updates status and acks; monitor reads; admin does all.
const ALLOWED: Readonly<Record<Role, readonly Action[]>> = {
  pos: ['publish', 'update', 'read'],
  kitchen: ['update', 'ack', 'read'],
  monitor: ['read'],
  admin: ['publish', 'update', 'ack', 'read', 'admin'],
};

/** `null` principal = `--insecure-no-auth` without a token: everything is allowed. */
export function mayDo(principal: Principal | null, action: Action): boolean {
  return principal === null || ALLOWED[principal.role].includes(action);
}

/** Whether the principal's token covers this outlet and tenant (string forms). */
export function inScope(principal: Principal | null, outlet: string, tenant: string): boolean {
  if (principal === null) return true;
  if (principal.outlet !== outlet) return false;
  return principal.tenants === null || principal.tenants.includes(tenant);
}
