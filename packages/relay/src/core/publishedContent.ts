import { idKey, lineIdAt, type Order, type OrderState } from '@kitchen-sync/protocol';

// What the relay writes or the kitchen changes after publish, not what the POS said: a retry
// of an order the kitchen has started, rushed or acknowledged must still be the same order.
// `hold` became the lines' state; a relay does not keep it.
const ORDER_STATE = new Set([
  'status',
  'version',
  'updated_at',
  'received_at',
  'status_at',
  'status_version',
  'acknowledged_by',
  'status_reason',
  'event_id',
  'hold',
]);
const LINE_STATE = new Set(['status', 'version', 'status_at', 'fire_at', 'fired_at']);

/**
 * Whether a publish of an order the relay has says what the stored order said: then it is a
 * retry (a duplicate); otherwise someone tried to edit the order by publishing it again.
 * Compared as the relay stores an order: ids as keys (outlet `1` is `"1"`), line ids given
 * or derived, keys in any order.
 */
export function samePublishedContent(published: Order, stored: OrderState): boolean {
  // `order:rush` sets `priority` on the stored order: a `rush` there may be the kitchen's.
  const skip = stored.priority === 'rush' ? new Set([...ORDER_STATE, 'priority']) : ORDER_STATE;
  return sameJson(
    content(published, stored.order_id, skip),
    content(stored, stored.order_id, skip),
  );
}

function content(order: Order, orderId: string, skip: ReadonlySet<string>) {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(order)) if (!skip.has(key)) fields[key] = value;
  fields.outlet_id = idKey(order.outlet_id);
  fields.tenant_id = idKey(order.tenant_id);
  fields.items = order.items.map((item, index) => {
    const line: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(item)) if (!LINE_STATE.has(key)) line[key] = value;
    // A derived id is the same line in any spelling of the order_id (a log from before ids
    // were kept in lower case has `${ORDER_ID}:0`).
    const derived = `${orderId}:${index}`;
    const id = lineIdAt(orderId, item, index);
    line.line_id = id.toLowerCase() === derived ? derived : id;
    return line;
  });
  return fields;
}

/** Equal as JSON: key order aside, a key holding `undefined` is no key. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, index) => sameJson(value, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  const otherKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  if (keys.length !== otherKeys.length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]));
}
