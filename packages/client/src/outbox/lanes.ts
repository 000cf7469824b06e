import type { OutboxEntry } from './types.js';

/**
 * What an entry waits for: no two entries that share a lane are in flight at once, and none
 * overtakes an earlier one of its lanes. Each order is a lane (a bump never overtakes an
 * earlier bump or recall of its order, nor its order's publish), and new orders share one (a
 * kitchen gets a POS's tickets in the order it took them). Order ids are UUIDs: none is a type.
 */
export function lanesOf(entry: OutboxEntry): string[] {
  return entry.type === 'order:publish' ? [entry.order_id, entry.type] : [entry.order_id];
}
