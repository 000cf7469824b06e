import type { Principal } from '../auth/principal.js';

// Ids may contain ':' ("1:2"), so each part is escaped: outlet "1" + tenant "2:x" and
// outlet "1:2" + tenant "x" must never share a room.
const part = (id: string) => encodeURIComponent(id);

/** Clients that see every tenant of an outlet share one room; scoped ones join per tenant. */
export const outletRoom = (outlet: string) => `o:${part(outlet)}`;
/** Every tenant room of an outlet starts with this. */
export const tenantRoomPrefix = (outlet: string) => `t:${part(outlet)}:`;
export const tenantRoom = (outlet: string, tenant: string) =>
  `${tenantRoomPrefix(outlet)}${part(tenant)}`;

export function roomsOf(principal: Principal): string[] {
  if (principal.tenants === null) return [outletRoom(principal.outlet)];
  return principal.tenants.map((t) => tenantRoom(principal.outlet, t));
}

/** The rooms an event of this outlet and tenant goes to. */
export const eventRooms = (outlet: string, tenant: string) => [
  outletRoom(outlet),
  tenantRoom(outlet, tenant),
];
