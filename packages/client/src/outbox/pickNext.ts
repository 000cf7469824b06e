import type { OutboxEntry } from './types.js';

/**
 * What an entry waits for: its order's earlier entries (a bump never overtakes an earlier bump
 * or recall, nor its order's publish) and, for a new order, the earlier new orders (a kitchen
 * gets a POS's tickets in the order it took them). Order ids are UUIDs: no lane is a type.
 */
export function lanesOf(entry: OutboxEntry): string[] {
  return entry.type === 'order:publish' ? [entry.order_id, entry.type] : [entry.order_id];
}

/**
 * Of the entries at the head of the queue (submission order), the first `max` that may go
 * now: none of their lanes is `busy` (held by an entry in flight) or held by an earlier entry
 * still waiting.
 */
export function pickNext(head: OutboxEntry[], busy: Set<string>, max: number): OutboxEntry[] {
  const held = new Set(busy);
  return head
    .filter((entry) => {
      const lanes = lanesOf(entry);
      const free = lanes.every((lane) => !held.has(lane));
      for (const lane of lanes) held.add(lane);
      return free;
    })
    .slice(0, max);
}
