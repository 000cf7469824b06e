import { EVENT_TYPES, idKey, LIMITS, type OrderState } from '@kitchen-sync/protocol';
import type { StoredEvent, TenantScope } from '../store/EventStore.js';
import type { LogReader } from '../store/LogReader.js';

/** An entry of `GET /api/orders`: the order as it stands, `id` its cursor. */
export type LegacyOrder = OrderState & {
  /** Seq of the order's `new_order` event: stable for the order, increasing across orders. */
  id: number;
  /** When the relay logged the order. */
  timestamp: string;
};

/**
 * The answer of the first local sync server's polling endpoint, which the kitchens written
 * for it still call: each order once, in the order they arrived, after `sinceId`. Those
 * kitchens add every entry as a new ticket, so an order is never sent again for a status
 * change (the first server never sent one either); its entry carries the state it has when
 * it is first sent.
 */
export async function legacyOrdersAfter(
  reader: LogReader,
  outlet: string,
  sinceId: number,
  tenants: TenantScope,
): Promise<LegacyOrder[]> {
  const head = await reader.head(outlet);
  // A cursor past the head was given by another log (a memory store restarted, a new data
  // dir, an older backup restored), and the request has nothing else to tell logs apart:
  // the kitchen has seen none of this log's orders, so it gets them all, as on its first poll.
  let after = sinceId > head ? 0 : sinceId;
  const created = new Map<string, StoredEvent>();
  const current = new Map<string, OrderState>();
  // Read to the head, not one page: a page may hold no new order at all (the kitchen's
  // cursor would never move), and an order's later events give the state it has now.
  while (after < head) {
    const page = await reader.eventsAfter(outlet, after, LIMITS.EVENTS_PAGE_MAX, tenants);
    for (const event of page) {
      const { order_id: orderId, type, data } = event.envelope;
      if (orderId === undefined) continue;
      const key = idKey(orderId);
      if (type === EVENT_TYPES.NEW_ORDER && created.size < LIMITS.EVENTS_PAGE_MAX) {
        created.set(key, event);
      }
      if (created.has(key)) current.set(key, data as OrderState);
    }
    if (page.length < LIMITS.EVENTS_PAGE_MAX) break;
    after = page[page.length - 1]!.envelope.seq;
  }
  return [...created].map(([key, event]) => ({
    ...current.get(key)!,
    id: event.envelope.seq,
    timestamp: event.envelope.ts,
  }));
}
