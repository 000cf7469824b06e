import type { Role } from '@kitchen-sync/protocol';
import type { Principal } from './principal.js';

export type Action =
  | 'publish'
  | 'update'
  | 'ack'
  | 'read'
  | 'admin'
  // v1.1: bump a line, hold, fire, recall, rush.
  | 'item'
  | 'hold'
  | 'fire'
  | 'recall'
  | 'rush';

// pos publishes, updates, holds, fires and rushes; kitchen updates, bumps lines, fires (expo
// fires the next course) and acks; both recall; monitor and board read (a board without the
// guests' data, guestData.ts); admin does all.
const ALLOWED: Readonly<Record<Role, readonly Action[]>> = {
  pos: ['publish', 'update', 'read', 'hold', 'fire', 'rush', 'recall'],
  kitchen: ['update', 'ack', 'read', 'item', 'fire', 'recall'],
  monitor: ['read'],
  board: ['read'],
  admin: ['publish', 'update', 'ack', 'read', 'admin', 'item', 'hold', 'fire', 'recall', 'rush'],
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
