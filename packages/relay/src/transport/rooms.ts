import type { Principal } from '../auth/principal.js';

/** Clients that see every tenant of an outlet share one room; scoped ones join per tenant. */
export const outletRoom = (outlet: string) => `o:${outlet}`;
export const tenantRoom = (outlet: string, tenant: string) => `t:${outlet}:${tenant}`;

export function roomsOf(principal: Principal): string[] {
  if (principal.tenants === null) return [outletRoom(principal.outlet)];
  return principal.tenants.map((t) => tenantRoom(principal.outlet, t));
}

/** The rooms an event of this outlet and tenant goes to. */
export const eventRooms = (outlet: string, tenant: string) => [
  outletRoom(outlet),
  tenantRoom(outlet, tenant),
];
