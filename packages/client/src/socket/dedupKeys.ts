import { EVENT_TYPES, eventDedupKey } from '@kitchen-sync/protocol';

// Within one relay log (one epoch) an order passes through each of these statuses at most
// once (transitions only go forward), so `type:order_id:status` names one event even when a
// source sends no `event_id`. A new log starts over: the service forgets its keys per epoch.
const STATUS_EVENTS: ReadonlySet<string> = new Set([
  EVENT_TYPES.NEW_ORDER,
  EVENT_TYPES.ORDER_UPDATED,
  EVENT_TYPES.ORDER_COMPLETED,
  EVENT_TYPES.ORDER_CANCELLED,
]);

interface Keyed {
  event_id?: string | null;
  type: string;
  order_id?: string | null;
  data?: unknown;
}

/**
 * Every key one event is known by. The relay's event carries an `event_id`; a Django consumer
 * may forward the same change without it. Recording the content key as well lets the two
 * copies meet. Acknowledgements and presence repeat their content, so they keep only the id.
 */
export function dedupKeys(event: Keyed): string[] {
  // Nothing identifies it: better shown twice than an order never shown.
  if (!event.event_id && !event.order_id) return [];
  const byContent = eventDedupKey({ ...event, event_id: null });
  if (!event.event_id) return [byContent];
  const status = (event.data as { status?: unknown } | null | undefined)?.status;
  if (event.order_id && typeof status === 'string' && STATUS_EVENTS.has(event.type)) {
    return [event.event_id, byContent];
  }
  return [event.event_id];
}
