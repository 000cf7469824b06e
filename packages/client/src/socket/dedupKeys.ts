import { EVENT_TYPES, eventContentKey } from '@kitchen-sync/protocol';

// Status changes, which a source that forwards the order without an `event_id` (a Django
// consumer) may also send: their content names the change.
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
 * The keys one event is checked by, and those it leaves behind. The relay's event carries an
 * `event_id`; a Django consumer may forward the same change without it, so a status change is
 * known by its content too. It also leaves its content key without the version, so that a copy
 * from a source that sends no version is dropped after it; it is not checked by that key, which
 * an earlier pass through the same status left. Acknowledgements and presence repeat their
 * content, so they keep only the id.
 */
export function dedupKeys(event: Keyed): [check: string[], leave: string[]] {
  const id = event.event_id;
  // Nothing identifies it: better shown twice than an order never shown.
  if (!id && !event.order_id) return [[], []];
  const byContent = eventContentKey(event);
  const leave = [eventContentKey(event, false)];
  if (!id) return [[byContent], leave];
  return event.order_id &&
    typeof (event.data as { status?: unknown } | null)?.status === 'string' &&
    STATUS_EVENTS.has(event.type)
    ? [[id, byContent], leave]
    : [[id], []];
}
