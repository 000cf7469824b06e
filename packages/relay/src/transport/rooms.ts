import type { Principal } from '../auth/principal.js';

// Ids may contain ':' ("1:2"), so each part is escaped: outlet "1" + tenant "2:x" and
// outlet "1:2" + tenant "x" must never share a room. '%' first, so the escape is one-to-one;
// nothing here can throw (encodeURIComponent did, on half a surrogate pair, and took the
// whole commit batch's live delivery with it).
const part = (id: string) => id.replace(/%/g, '%25').replace(/:/g, '%3A');

// Kitchens have rooms of their own so a new order reaches them first: a kitchen display is
// who must see it now; the screens that watch orders get theirs in batches (watcherBroadcasts.ts). Boards have rooms of
// their own because they get another frame: the order without the guests' data.
type Audience = 'k' | 'b' | '';
const audienceOf = (principal: Principal): Audience =>
  principal.role === 'kitchen' ? 'k' : principal.role === 'board' ? 'b' : '';

/** Clients that see every tenant of an outlet share one room; scoped ones join per tenant. */
const outletRoom = (audience: Audience, outlet: string) => `${audience}o:${part(outlet)}`;
const tenantRoom = (audience: Audience, outlet: string, tenant: string) =>
  `${audience}t:${part(outlet)}:${part(tenant)}`;

export function roomsOf(principal: Principal): string[] {
  const audience = audienceOf(principal);
  if (principal.tenants === null) return [outletRoom(audience, principal.outlet)];
  return principal.tenants.map((t) => tenantRoom(audience, principal.outlet, t));
}

/** The kitchens' rooms of an event of this outlet and tenant: they get it the moment it is stored. */
export const kitchenEventRooms = (outlet: string, tenant: string) => [
  outletRoom('k', outlet),
  tenantRoom('k', outlet, tenant),
];

/** The rooms of the screens that watch orders (POS, monitor, admin): see watcherBroadcasts.ts. */
export const watcherEventRooms = (outlet: string, tenant: string) => [
  outletRoom('', outlet),
  tenantRoom('', outlet, tenant),
];

/** The boards' rooms of an event of this outlet and tenant: they get its board frame. */
export const boardRooms = (outlet: string, tenant: string) => [
  outletRoom('b', outlet),
  tenantRoom('b', outlet, tenant),
];

/**
 * The rooms a commit batch's events reach at once, to cork together: kitchens and boards, and
 * the watchers too when their events are not batched (watcherBroadcasts.ts corks its own).
 */
export function liveEventRooms(
  events: ReadonlyArray<{ outlet: string; tenant: string }>,
  watchersBatched: boolean,
): Set<string> {
  return new Set(
    events.flatMap(({ outlet, tenant }) => [
      ...kitchenEventRooms(outlet, tenant),
      ...boardRooms(outlet, tenant),
      ...(watchersBatched ? [] : watcherEventRooms(outlet, tenant)),
    ]),
  );
}

// Presence (kitchen_status_changed) is for the screens that watch kitchens: pos, monitor and
// admin, not boards (guests do not need it). Kitchens never join these rooms, so a kitchen
// connecting is one message per watcher instead of one per client of the outlet (1,000
// kitchens connecting was ~500k messages).
const watcherRoom = (outlet: string) => `p:${part(outlet)}`;
const allTenantsWatcherRoom = (outlet: string) => `pa:${part(outlet)}`;
const tenantWatcherRoom = (outlet: string, tenant: string) => `pt:${part(outlet)}:${part(tenant)}`;

/** The presence rooms a client joins: none for kitchens and boards. */
export function presenceRoomsOf(principal: Principal): string[] {
  if (principal.role === 'kitchen' || principal.role === 'board') return [];
  const { outlet, tenants } = principal;
  if (tenants === null) return [watcherRoom(outlet), allTenantsWatcherRoom(outlet)];
  return [watcherRoom(outlet), ...tenants.map((t) => tenantWatcherRoom(outlet, t))];
}

/** Where a kitchen's presence goes: watchers that may see one of its tenants. */
export function presenceTargets(kitchen: Principal): string[] {
  const { outlet, tenants } = kitchen;
  if (tenants === null) return [watcherRoom(outlet)];
  return [allTenantsWatcherRoom(outlet), ...tenants.map((t) => tenantWatcherRoom(outlet, t))];
}

/** Every client of the outlet whose log the relay uploads: they get `sync:bridge`. */
export const bridgeRoom = (outlet: string) => `b:${part(outlet)}`;
