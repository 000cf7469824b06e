import {
  EventEnvelopeSchema,
  eventTypeForStatus,
  findUnsafe,
  LIMITS,
  ORDER_EVENT_TYPES,
  OrderStateSchema,
  type OrderStatus,
  OrderUpdateSchema,
  PublishedOrderSchema,
  type Validated,
  validate,
} from '@kitchen-sync/protocol';
import { findUnstorableText } from '../src/core/unstorableText.js';
import { jsonSize } from '../src/lib/jsonSize.js';

/** What the protocol says of an event central makes: valid, or refused with a code and the
 * (sorted, distinct) paths of its issues. */
export type Verdict = { valid: true } | { valid: false; code: string; paths: string[] };

type Json = Record<string, unknown>;

const STATUS_EVENTS: readonly string[] = ['order_updated', 'order_completed', 'order_cancelled'];
const ORDER_EVENTS: readonly string[] = ORDER_EVENT_TYPES;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const refused = (code: string, paths: string[]): Verdict => ({
  valid: false,
  code,
  paths: [...new Set(paths)].sort(),
});

function pathsOf(result: Validated<unknown>, under: (path: string) => string): string[] {
  if (result.ok) return [];
  return (result.error.issues ?? []).map((issue) => under(issue.path));
}

const below = (prefix: string) => (path: string) =>
  path === '(root)' ? prefix : `${prefix}.${path}`;

/**
 * The rules central (`kitchen_sync/payload_rules.py`) applies to an event before it logs or
 * sends it, made of the protocol's own validator and schemas and of the relay's checks, in
 * the relay's order: the size of the order the downlink would publish, text no database
 * stores, forbidden keys and depth, the schemas, then what makes the outlet pass the event
 * over or file it elsewhere, then the state machine's rule for a new order.
 */
export function protocolVerdict(event: Json, logged: boolean, maxMessageBytes: number): Verdict {
  const { type, data } = event;
  if (type === 'new_order' && isObject(data)) {
    // What the relay's downlink publishes (src/bridge/downlink.ts).
    if (jsonSize({ ...data, event_id: event.event_id }) > maxMessageBytes) {
      return refused('too_large', []);
    }
  }
  const unstorable = findUnstorableText(event);
  if (unstorable !== null) return refused('invalid_payload', [unstorable]);
  // One level for the envelope: the relay checks the order itself at MAX_DEPTH - 1.
  const unsafe = findUnsafe(event, LIMITS.MAX_DEPTH);
  if (unsafe) return refused('invalid_payload', [unsafe.path]);

  const isOrderEvent = typeof type === 'string' && ORDER_EVENTS.includes(type);
  const paths = pathsOf(validate(EventEnvelopeSchema, { ...event, seq: null }), (p) => p);
  if (isOrderEvent && !('order_id' in event)) paths.push('order_id');
  if (logged && type === 'kitchen_status_changed') paths.push('type');
  if (!isObject(data)) {
    paths.push('data');
  } else if (type === 'new_order') {
    paths.push(...pathsOf(validate(PublishedOrderSchema, data), below('data')));
  } else if (isOrderEvent) {
    for (const [key, schema] of Object.entries(OrderStateSchema.entries)) {
      if (key in data) paths.push(...pathsOf(validate(schema, data[key]), below(`data.${key}`)));
    }
    if (STATUS_EVENTS.includes(type as string)) {
      // What the downlink sends the relay for it (src/bridge/downlink.ts).
      const update = { order_id: event.order_id, status: data.status, event_id: event.event_id };
      const fields: Json = { order_id: 'order_id', status: 'data.status', event_id: 'event_id' };
      paths.push(
        ...pathsOf(validate(OrderUpdateSchema, update), (p) => String(fields[p.split('.')[0]!])),
      );
    }
  }
  if (paths.length > 0) return refused('invalid_payload', paths);

  if (isOrderEvent && isObject(data)) {
    const mismatches: string[] = [];
    // The downlink passes over an order of another outlet; the relay files it under
    // `data.tenant_id` where central's sockets go by the envelope's.
    for (const key of ['outlet_id', 'tenant_id']) {
      if (key in data && String(data[key]) !== String(event[key])) mismatches.push(`data.${key}`);
    }
    if ('order_id' in data && data.order_id !== event.order_id) mismatches.push('data.order_id');
    if (
      STATUS_EVENTS.includes(type as string) &&
      eventTypeForStatus(data.status as OrderStatus) !== type
    ) {
      mismatches.push('data.status');
    }
    if (mismatches.length > 0) return refused('invalid_payload', mismatches);
  }
  if (type === 'new_order' && isObject(data) && data.status !== 'pending') {
    return refused('invalid_transition', ['data.status']);
  }
  return { valid: true };
}
