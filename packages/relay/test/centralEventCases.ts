import type { ErrorCode } from '@kitchen-sync/protocol';

/**
 * Events central (the Django package) may make, each with what the protocol says of it. They
 * become fixtures/central-events.json, which the Python port runs through too
 * (integrations/django/kitchen_sync/tests/test_payload_rules.py).
 */
export interface CentralEventCase {
  name: string;
  event: Record<string, unknown>;
  /** False: broadcast only, never in the outlet log (presence may be sent, not logged). */
  logged?: false;
  expect: 'valid' | { code: ErrorCode; paths: string[] };
  /** For a new_order: what the relay's own publish answers where that is not the same as
   * central's refusal (central also checks the envelope, which the relay builds itself). */
  relay?: 'accepts' | ErrorCode;
}

/** The limit the size cases are built around, kept small so the file stays small. */
export const MAX_MESSAGE_BYTES = 8_192;

const ORDER_ID = '0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b';
const EVENT_ID = '0190a5b2-7c3e-7d4f-8a1b-000000000001';

const order = (fields: Record<string, unknown> = {}) => ({
  order_id: ORDER_ID,
  order_number: 'OFF-1735891234567-T3',
  outlet_id: 1,
  tenant_id: 3,
  status: 'pending',
  items: [{ product_id: 10, name: 'Nasi goreng', quantity: 2, price: '25000' }],
  total_amount: '50000',
  created_at: '2026-01-03T08:00:00.000Z',
  ...fields,
});

const item = (fields: Record<string, unknown> = {}) => ({
  product_id: 10,
  name: 'Nasi goreng',
  quantity: 1,
  ...fields,
});

const event = (type: string, data: unknown, fields: Record<string, unknown> = {}) => ({
  event_id: EVENT_ID,
  type,
  outlet_id: 1,
  tenant_id: 3,
  data,
  ts: '2026-01-03T08:00:00.123Z',
  order_id: ORDER_ID,
  ...fields,
});

const newOrder = (fields: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) =>
  event('new_order', order(fields), envelope);

function without<T extends Record<string, unknown>>(
  value: T,
  key: string,
): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

const refused = (paths: string[]) => ({ code: 'invalid_payload' as const, paths });

/** An object `levels` deep: `{a: {a: ... {}}}`. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** A new_order whose published form (the order with the event's id) is `bytes` of JSON. */
function newOrderOfSize(bytes: number) {
  const base = newOrder({ padding: '' });
  const published = { ...(base.data as Record<string, unknown>), event_id: base.event_id };
  const size = Buffer.byteLength(JSON.stringify(published));
  return newOrder({ padding: 'x'.repeat(bytes - size) });
}

const EMOJI = '\u{1F35C}'; // two UTF-16 units, one code point

export const CENTRAL_EVENT_CASES: CentralEventCase[] = [
  // Orders the relay takes.
  { name: 'a kiosk order', event: newOrder(), expect: 'valid' },
  {
    name: 'every optional field of an order',
    event: newOrder({
      tenant_name: 'Bakso Pak Kumis',
      source: 'kiosk',
      table: 'A5',
      customer_name: 'Sari',
      priority: 'rush',
      notes: 'no chili',
      items: [
        item({ price: '12.50', modifiers: ['extra egg'], notes: 'well done', station: 'grill' }),
      ],
    }),
    expect: 'valid',
  },
  {
    name: 'a v1.1 order with line ids, courses and a held course',
    event: newOrder({
      items: [item({ line_id: 'l-1', course: 1 }), item({ line_id: 'l-2', course: 2 })],
      hold: [{ course: 2, fire_at: '2026-01-03T08:20:00Z' }],
    }),
    expect: 'valid',
  },
  {
    name: 'string ids and a numbered table',
    event: newOrder(
      {
        outlet_id: 'mall-1',
        tenant_id: 'stall-3',
        table: 12,
        items: [item({ product_id: 'sku-1' })],
      },
      { outlet_id: 'mall-1', tenant_id: 'stall-3' },
    ),
    expect: 'valid',
  },
  {
    name: 'an upper-case UUID',
    event: newOrder(
      { order_id: ORDER_ID.toUpperCase() },
      { order_id: ORDER_ID.toUpperCase(), event_id: EVENT_ID.toUpperCase() },
    ),
    expect: 'valid',
  },
  {
    name: 'money with six decimals',
    event: newOrder({ total_amount: '999999999999999.123456' }),
    expect: 'valid',
  },
  {
    name: 'a timestamp with an offset and no seconds',
    event: newOrder({ created_at: '2026-01-03T15:00+07:00' }),
    expect: 'valid',
  },
  {
    name: 'a timestamp with an offset without a colon',
    event: newOrder({ created_at: '2026-01-03T15:00:00-0530' }),
    expect: 'valid',
  },
  {
    name: 'a timestamp with nine decimals',
    event: newOrder({ created_at: '2026-01-03T08:00:00.123456789Z' }),
    expect: 'valid',
  },
  {
    name: 'midnight written as 24:00',
    event: newOrder({ created_at: '2026-01-03T24:00:00.000Z' }),
    expect: 'valid',
  },
  { name: 'a leap day', event: newOrder({ created_at: '2024-02-29T10:00:00Z' }), expect: 'valid' },
  {
    name: 'extension fields travel as they are',
    event: newOrder({ loyalty: { points: 5 }, items: [item({ sku: 'NG-1', tags: [1, 'a'] })] }),
    expect: 'valid',
  },
  {
    name: 'fields at their longest',
    event: newOrder({
      order_number: 'N'.repeat(64),
      tenant_name: 'T'.repeat(128),
      notes: 'n'.repeat(500),
      items: [item({ name: 'x'.repeat(200), quantity: 100_000, modifiers: Array(50).fill('m') })],
    }),
    expect: 'valid',
  },
  {
    name: 'an emoji counts as two characters, as in JavaScript',
    event: newOrder({ order_number: EMOJI.repeat(32) }),
    expect: 'valid',
  },
  {
    name: 'nesting at the deepest the relay takes',
    event: newOrder({ extra: nested(14) }),
    expect: 'valid',
  },
  {
    name: 'an order exactly at the size limit',
    event: newOrderOfSize(MAX_MESSAGE_BYTES),
    expect: 'valid',
  },

  // Changes of an order central sends after it.
  {
    name: 'order_updated with the order as it stands',
    event: event(
      'order_updated',
      order({ status: 'preparing', version: 2, updated_at: '2026-01-03T08:01:00Z' }),
    ),
    expect: 'valid',
  },
  {
    name: 'order_cancelled with only its id, status and reason',
    event: event('order_cancelled', {
      order_id: ORDER_ID,
      status: 'cancelled',
      status_reason: 'the customer left',
    }),
    expect: 'valid',
  },
  {
    name: 'order_completed',
    event: event('order_completed', order({ status: 'completed' })),
    expect: 'valid',
  },
  {
    name: 'order_acknowledged',
    event: event('order_acknowledged', order({ version: 2, acknowledged_by: ['kds-grill'] })),
    expect: 'valid',
  },
  {
    name: 'order_recalled with the version of its last status change',
    event: event('order_recalled', order({ status: 'preparing', version: 7, status_version: 7 })),
    expect: 'valid',
  },
  {
    name: 'a status_version that is not a version',
    event: event('order_rushed', { order_id: ORDER_ID, priority: 'rush', status_version: 0 }),
    expect: refused(['data.status_version']),
  },
  {
    name: 'order_rushed with only what changed',
    event: event('order_rushed', { order_id: ORDER_ID, priority: 'rush' }),
    expect: 'valid',
  },
  {
    name: 'an outlet-wide change without a tenant',
    event: event('order_updated', { order_id: ORDER_ID, status: 'ready' }, { tenant_id: null }),
    expect: 'valid',
  },
  {
    name: 'presence, broadcast only',
    event: without(
      event('kitchen_status_changed', {
        kitchen_id: 'kds-grill',
        status: 'connected',
        timestamp: '2026-01-03T08:00:00Z',
      }),
      'order_id',
    ),
    logged: false,
    expect: 'valid',
  },

  // Money.
  {
    name: 'money as an integer',
    event: newOrder({ total_amount: 50000 }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'a price as a float',
    event: newOrder({ items: [item({ price: 12.5 })] }),
    expect: refused(['data.items.0.price']),
  },
  {
    name: 'money with a thousands separator',
    event: newOrder({ total_amount: '150,000' }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'money with seven decimals',
    event: newOrder({ total_amount: '1.1234567' }),
    expect: refused(['data.total_amount']),
  },
  {
    name: "money as Python's Decimal prints 1E+3",
    event: newOrder({ total_amount: '1E+3' }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'money with sixteen digits',
    event: newOrder({ total_amount: '1234567890123456' }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'money in full-width digits',
    event: newOrder({ total_amount: '\uFF11\uFF15\uFF10' }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'money with a trailing newline',
    event: newOrder({ total_amount: '150\n' }),
    expect: refused(['data.total_amount']),
  },

  // Ids.
  {
    name: 'a new order without tenant_id',
    event: newOrder({ tenant_id: undefined }, { tenant_id: null }),
    expect: refused(['data.tenant_id']),
  },
  {
    name: 'a tenant_id of null',
    event: newOrder({ tenant_id: null }, { tenant_id: null }),
    expect: refused(['data.tenant_id']),
  },
  {
    name: 'an empty tenant_id',
    event: newOrder({ tenant_id: '' }, { tenant_id: '' }),
    expect: refused(['data.tenant_id', 'tenant_id']),
  },
  {
    name: 'a tenant_id of 65 characters',
    event: newOrder({ tenant_id: 't'.repeat(65) }, { tenant_id: 't'.repeat(65) }),
    expect: refused(['data.tenant_id', 'tenant_id']),
  },
  {
    name: 'an outlet_id of true',
    event: newOrder({ outlet_id: true }, { outlet_id: true }),
    expect: refused(['data.outlet_id', 'outlet_id']),
  },
  {
    name: 'an outlet_id beyond the safe integers',
    event: newOrder({ outlet_id: 2 ** 53 }, { outlet_id: 2 ** 53 }),
    expect: refused(['data.outlet_id', 'outlet_id']),
  },
  {
    name: 'a product_id of 1.5',
    event: newOrder({ items: [item({ product_id: 1.5 })] }),
    expect: refused(['data.items.0.product_id']),
  },
  {
    name: 'an order_id that is not a UUID',
    event: newOrder({ order_id: 'o-1' }, { order_id: 'o-1' }),
    expect: refused(['data.order_id', 'order_id']),
  },
  {
    name: 'an event_id that is not a UUID',
    event: newOrder({}, { event_id: 'e-1' }),
    expect: refused(['event_id']),
    relay: 'invalid_payload',
  },
  {
    name: 'a UUID with a trailing newline',
    event: newOrder({}, { event_id: `${EVENT_ID}\n` }),
    expect: refused(['event_id']),
    relay: 'invalid_payload',
  },
  {
    name: 'an order_number of 33 emoji',
    event: newOrder({ order_number: EMOJI.repeat(33) }),
    expect: refused(['data.order_number']),
  },

  // Lines.
  { name: 'no items', event: newOrder({ items: [] }), expect: refused(['data.items']) },
  {
    name: 'an item without a name',
    event: newOrder({ items: [without(item(), 'name')] }),
    expect: refused(['data.items.0.name']),
  },
  {
    name: 'an empty item name',
    event: newOrder({ items: [item({ name: '' })] }),
    expect: refused(['data.items.0.name']),
  },
  {
    name: 'a quantity of 0',
    event: newOrder({ items: [item({ quantity: 0 })] }),
    expect: refused(['data.items.0.quantity']),
  },
  {
    name: 'a quantity of 1.5',
    event: newOrder({ items: [item({ quantity: 1.5 })] }),
    expect: refused(['data.items.0.quantity']),
  },
  {
    name: 'a quantity over 100000',
    event: newOrder({ items: [item({ quantity: 100_001 })] }),
    expect: refused(['data.items.0.quantity']),
  },
  {
    name: 'a quantity as a string',
    event: newOrder({ items: [item({ quantity: '2' })] }),
    expect: refused(['data.items.0.quantity']),
  },
  {
    name: '51 modifiers',
    event: newOrder({ items: [item({ modifiers: Array(51).fill('m') })] }),
    expect: refused(['data.items.0.modifiers']),
  },
  {
    name: 'a station of 65 characters',
    event: newOrder({ items: [item({ station: 's'.repeat(65) })] }),
    expect: refused(['data.items.0.station']),
  },
  {
    name: 'an item that is not an object',
    event: newOrder({ items: ['Nasi goreng'] }),
    expect: refused(['data.items.0']),
  },
  {
    name: 'two lines with one line id',
    event: newOrder({ items: [item({ line_id: 'a' }), item({ line_id: 'a' })] }),
    expect: refused(['data.items']),
  },
  {
    name: 'a line id that is the derived id of another line',
    event: newOrder({ items: [item({ line_id: `${ORDER_ID}:1` }), item()] }),
    expect: refused(['data.items']),
  },
  {
    name: 'a hold naming a course no item has',
    event: newOrder({ items: [item({ course: 1 })], hold: [{ course: 2 }] }),
    expect: refused(['data.hold']),
  },
  {
    name: 'a hold with a field holds do not have',
    event: newOrder({ items: [item({ course: 1 })], hold: [{ course: 1, when: 'later' }] }),
    expect: refused(['data.hold.0.when']),
  },
  {
    name: '21 holds',
    event: newOrder({ items: [item({ course: 1 })], hold: Array(21).fill({ course: 1 }) }),
    expect: refused(['data.hold']),
  },
  {
    name: 'a bad quantity beside a duplicate line id: the line check waits for the types',
    event: newOrder({
      items: [item({ line_id: 'a', quantity: 'two' }), item({ line_id: 'a' })],
    }),
    expect: refused(['data.items.0.quantity']),
  },
  {
    name: 'a quantity of 0 beside a duplicate line id: both are named',
    event: newOrder({ items: [item({ line_id: 'a', quantity: 0 }), item({ line_id: 'a' })] }),
    expect: refused(['data.items', 'data.items.0.quantity']),
  },

  // Other fields of the order.
  {
    name: 'optional fields are not nullable',
    event: newOrder({ notes: null, customer_name: null }),
    expect: refused(['data.customer_name', 'data.notes']),
  },
  {
    name: 'an unknown status',
    event: newOrder({ status: 'new' }),
    expect: refused(['data.status']),
  },
  {
    name: 'a priority of urgent',
    event: newOrder({ priority: 'urgent' }),
    expect: refused(['data.priority']),
  },
  { name: 'a table of true', event: newOrder({ table: true }), expect: refused(['data.table']) },
  {
    name: 'notes of 501 characters',
    event: newOrder({ notes: 'n'.repeat(501) }),
    expect: refused(['data.notes']),
  },
  {
    name: 'a created_at without an offset (a naive datetime)',
    event: newOrder({ created_at: '2026-01-03T08:00:00' }),
    expect: refused(['data.created_at']),
  },
  {
    name: 'a day that does not exist',
    event: newOrder({ created_at: '2025-02-29T08:00:00Z' }),
    expect: refused(['data.created_at']),
  },
  {
    name: '25 o’clock',
    event: newOrder({ created_at: '2026-01-03T25:00:00Z' }),
    expect: refused(['data.created_at']),
  },
  {
    name: 'a second past 24:00',
    event: newOrder({ created_at: '2026-01-03T24:00:01Z' }),
    expect: refused(['data.created_at']),
  },
  {
    name: 'an offset of 24 hours',
    event: newOrder({ created_at: '2026-01-03T08:00:00+24:00' }),
    expect: refused(['data.created_at']),
  },
  {
    name: 'a date without a time',
    event: newOrder({ created_at: '2026-01-03' }),
    expect: refused(['data.created_at']),
  },

  // What the relay refuses before the schema.
  {
    name: 'a key that could pollute a prototype',
    event: newOrder({ items: [{ ...item(), constructor: 'x' }] }),
    expect: refused(['data.items.0.constructor']),
  },
  {
    name: 'nesting one level deeper than the relay takes',
    event: newOrder({ extra: nested(15) }),
    expect: refused([`data.extra${'.a'.repeat(14)}`]),
  },
  {
    name: 'a NUL in a name',
    event: newOrder({ items: [item({ name: 'Nasi\u0000goreng' })] }),
    expect: refused(['data.items.0.name']),
  },
  {
    name: 'half a surrogate pair in the notes',
    event: newOrder({ notes: 'chili \uD83C' }),
    expect: refused(['data.notes']),
  },
  {
    name: 'an order one byte over the size limit',
    event: newOrderOfSize(MAX_MESSAGE_BYTES + 1),
    expect: { code: 'too_large', paths: [] },
  },

  // What the outlet would pass over or file elsewhere.
  {
    name: 'a new order that is not pending',
    event: newOrder({ status: 'preparing' }),
    expect: { code: 'invalid_transition', paths: ['data.status'] },
  },
  {
    name: 'an order of another outlet than its event',
    event: newOrder({ outlet_id: 2 }),
    expect: refused(['data.outlet_id']),
    relay: 'forbidden',
  },
  {
    name: 'an order of another tenant than its event',
    event: newOrder({}, { tenant_id: 4 }),
    expect: refused(['data.tenant_id']),
    relay: 'accepts',
  },
  {
    name: 'order_cancelled without a status',
    event: event('order_cancelled', { order_id: ORDER_ID }),
    expect: refused(['data.status']),
  },
  {
    name: 'order_completed carrying the status cancelled',
    event: event('order_completed', { order_id: ORDER_ID, status: 'cancelled' }),
    expect: refused(['data.status']),
  },
  {
    name: 'order_updated back to pending',
    event: event('order_updated', { order_id: ORDER_ID, status: 'pending' }),
    expect: refused(['data.status']),
  },
  {
    name: 'order_updated to an unknown status',
    event: event('order_updated', { order_id: ORDER_ID, status: 'done' }),
    expect: refused(['data.status']),
  },
  {
    name: 'order_updated carrying money as a number',
    event: event('order_updated', { order_id: ORDER_ID, status: 'ready', total_amount: 5 }),
    expect: refused(['data.total_amount']),
  },
  {
    name: 'order_updated of another order than its event',
    event: event('order_updated', {
      order_id: '0190a5b2-7c3e-7d4f-8a1b-ffffffffffff',
      status: 'ready',
    }),
    expect: refused(['data.order_id']),
  },
  {
    name: 'order_updated without an order_id',
    event: without(event('order_updated', { status: 'ready' }), 'order_id'),
    expect: refused(['order_id']),
  },

  // The envelope.
  {
    name: 'presence in the outlet log',
    event: without(
      event('kitchen_status_changed', {
        kitchen_id: 'kds-grill',
        status: 'connected',
        timestamp: '2026-01-03T08:00:00Z',
      }),
      'order_id',
    ),
    expect: refused(['type']),
  },
  {
    name: 'an unknown event type',
    event: event('order_exploded', order()),
    expect: refused(['type']),
  },
  {
    name: 'data that is not an object',
    event: event('order_updated', [order()]),
    expect: refused(['data']),
  },
  {
    name: 'an envelope without ts',
    event: without(newOrder(), 'ts'),
    expect: refused(['ts']),
  },
];
