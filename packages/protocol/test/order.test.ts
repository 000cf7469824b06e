import { describe, expect, it } from 'vitest';
import { LIMITS, OrderSchema, OrderStateSchema, validate } from '../src/index.js';
import { fromJson, ORDER_ID, orderWithItem, validOrder } from './fixtures.js';

const long = (n: number) => 'x'.repeat(n);

describe('OrderSchema accepts', () => {
  const cases: Array<[string, unknown]> = [
    ['the minimal order', validOrder()],
    ['string ids', validOrder({ outlet_id: 'outlet-a', tenant_id: 'tenant-b' })],
    ['ids of exactly 64 characters', validOrder({ outlet_id: long(64), tenant_id: long(64) })],
    ['a UUIDv4 order_id', validOrder({ order_id: '3b241101-e2bb-4255-8caf-4136c566a962' })],
    ['an upper-case UUID', validOrder({ order_id: ORDER_ID.toUpperCase() })],
    [
      'every optional field',
      validOrder({
        tenant_name: 'Warung Bu Sri',
        source: 'kiosk',
        table: 'T1',
        customer_name: 'Budi',
        priority: 'rush',
        notes: 'no peanuts',
      }),
    ],
    ['a numeric table', validOrder({ table: 12 })],
    ['priority normal', validOrder({ priority: 'normal' })],
    ['a decimal total with fraction', validOrder({ total_amount: '12.50' })],
    ['a zero total', validOrder({ total_amount: '0' })],
    ['a timestamp with an offset', validOrder({ created_at: '2025-01-03T15:00:34+07:00' })],
    ['February 29 of a leap year', validOrder({ created_at: '2024-02-29T23:59:59.999Z' })],
    ['a timestamp without seconds', validOrder({ created_at: '2025-01-03T08:00Z' })],
    ['a string product_id', orderWithItem({ product_id: 'SKU-001' })],
    [
      'item modifiers, notes and station',
      orderWithItem({
        modifiers: ['extra spicy', 'no egg'],
        notes: 'well done',
        station: 'grill',
      }),
    ],
    ['a large integer quantity', orderWithItem({ quantity: LIMITS.QUANTITY_MAX })],
    ['an item without price', orderWithItem({ price: undefined })],
    [
      'every known status (the relay, not the schema, requires pending on publish)',
      validOrder({ status: 'cancelled' }),
    ],
    [
      'many items',
      validOrder({
        items: Array.from({ length: 20 }, (_, i) => ({
          product_id: i,
          name: `p${i}`,
          quantity: 1,
        })),
      }),
    ],
  ];

  it.each(cases)('%s', (_name, input) => {
    const result = validate(OrderSchema, input);
    expect(result.ok).toBe(true);
  });
});

describe('OrderSchema rejects', () => {
  // [case, input, path of the first issue]
  const cases: Array<[string, unknown, string]> = [
    ['a non-UUID order_id', validOrder({ order_id: 'order-1' }), 'order_id'],
    ['a UUID without dashes', validOrder({ order_id: ORDER_ID.replaceAll('-', '') }), 'order_id'],
    ['a numeric order_id', validOrder({ order_id: 123 }), 'order_id'],
    ['a missing order_id', validOrder({ order_id: undefined }), 'order_id'],
    ['an empty order_number', validOrder({ order_number: '' }), 'order_number'],
    ['an order_number over 64 chars', validOrder({ order_number: long(65) }), 'order_number'],
    ['an outlet_id over 64 chars', validOrder({ outlet_id: long(65) }), 'outlet_id'],
    ['a tenant_id over 64 chars', validOrder({ tenant_id: long(65) }), 'tenant_id'],
    ['an empty outlet_id', validOrder({ outlet_id: '' }), 'outlet_id'],
    ['an empty tenant_id', validOrder({ tenant_id: '' }), 'tenant_id'],
    ['a fractional outlet_id', validOrder({ outlet_id: 1.5 }), 'outlet_id'],
    ['a null tenant_id', validOrder({ tenant_id: null }), 'tenant_id'],
    ['an object as outlet_id', validOrder({ outlet_id: { id: 1 } }), 'outlet_id'],
    ['an unknown status', validOrder({ status: 'served' }), 'status'],
    ['an upper-case status', validOrder({ status: 'PENDING' }), 'status'],
    ['a missing status', validOrder({ status: undefined }), 'status'],
    ['empty items', validOrder({ items: [] }), 'items'],
    ['items that are not an array', validOrder({ items: { 0: {} } }), 'items'],
    [
      'too many items',
      validOrder({
        items: Array.from({ length: LIMITS.ITEMS_MAX + 1 }, () => ({
          product_id: 1,
          name: 'p',
          quantity: 1,
        })),
      }),
      'items',
    ],
    ['quantity 0', orderWithItem({ quantity: 0 }), 'items.0.quantity'],
    ['quantity -1', orderWithItem({ quantity: -1 }), 'items.0.quantity'],
    ['quantity 1.5', orderWithItem({ quantity: 1.5 }), 'items.0.quantity'],
    ['quantity "2"', orderWithItem({ quantity: '2' }), 'items.0.quantity'],
    ['quantity NaN', orderWithItem({ quantity: Number.NaN }), 'items.0.quantity'],
    [
      'quantity Infinity',
      orderWithItem({ quantity: Number.POSITIVE_INFINITY }),
      'items.0.quantity',
    ],
    [
      'quantity over the maximum',
      orderWithItem({ quantity: LIMITS.QUANTITY_MAX + 1 }),
      'items.0.quantity',
    ],
    ['a missing quantity', orderWithItem({ quantity: undefined }), 'items.0.quantity'],
    ['an empty item name', orderWithItem({ name: '' }), 'items.0.name'],
    ['an empty product_id', orderWithItem({ product_id: '' }), 'items.0.product_id'],
    ['a product_id over 64 chars', orderWithItem({ product_id: long(65) }), 'items.0.product_id'],
    ['a numeric price', orderWithItem({ price: 75000 }), 'items.0.price'],
    ['modifiers that are not strings', orderWithItem({ modifiers: [1] }), 'items.0.modifiers.0'],
    ['total_amount as a number', validOrder({ total_amount: 150000 }), 'total_amount'],
    ['total_amount "1e5"', validOrder({ total_amount: '1e5' }), 'total_amount'],
    ['total_amount "-5"', validOrder({ total_amount: '-5' }), 'total_amount'],
    ['total_amount ""', validOrder({ total_amount: '' }), 'total_amount'],
    ['total_amount "12."', validOrder({ total_amount: '12.' }), 'total_amount'],
    ['total_amount ".5"', validOrder({ total_amount: '.5' }), 'total_amount'],
    ['total_amount "abc"', validOrder({ total_amount: 'abc' }), 'total_amount'],
    ['total_amount " 5"', validOrder({ total_amount: ' 5' }), 'total_amount'],
    ['total_amount "1,000"', validOrder({ total_amount: '1,000' }), 'total_amount'],
    ['a created_at that is not ISO 8601', validOrder({ created_at: '03/01/2025' }), 'created_at'],
    [
      'a created_at without a zone',
      validOrder({ created_at: '2025-01-03T08:00:00' }),
      'created_at',
    ],
    [
      'a created_at with month 13',
      validOrder({ created_at: '2025-13-03T08:00:00Z' }),
      'created_at',
    ],
    [
      'a created_at on February 30',
      validOrder({ created_at: '2025-02-30T08:00:00Z' }),
      'created_at',
    ],
    [
      'a created_at on February 29 of a common year',
      validOrder({ created_at: '2025-02-29T08:00:00Z' }),
      'created_at',
    ],
    ['a created_at on April 31', validOrder({ created_at: '2025-04-31T08:00:00Z' }), 'created_at'],
    ['a created_at at hour 25', validOrder({ created_at: '2025-01-03T25:00:00Z' }), 'created_at'],
    ['a created_at as epoch millis', validOrder({ created_at: 1735891234567 }), 'created_at'],
    ['an unknown priority', validOrder({ priority: 'urgent' }), 'priority'],
    ['a fractional table number', validOrder({ table: 1.5 }), 'table'],
    ['notes over 500 chars', validOrder({ notes: long(501) }), 'notes'],
    ['null', null, '(root)'],
    ['a string', JSON.stringify(validOrder()), '(root)'],
  ];

  it.each(cases)('%s', (_name, input, path) => {
    const result = validate(OrderSchema, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.issues?.[0]?.path).toBe(path);
  });
});

describe('OrderSchema rejects a wrapped order', () => {
  it('rejects an array holding a valid order', () => {
    const result = validate(OrderSchema, [validOrder()]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_payload');
  });
});

describe('OrderSchema refuses prototype-polluting keys anywhere', () => {
  const base = JSON.stringify(validOrder());
  const item = '{"product_id":1,"name":"Teh","quantity":1';
  // JSON text so that `__proto__` arrives as an own key, as it does off the wire.
  const cases: Array<[string, string, string]> = [
    ['__proto__ at the top', `{"__proto__":{"admin":true},${base.slice(1)}`, '__proto__'],
    ['constructor at the top', `{"constructor":{"prototype":{}},${base.slice(1)}`, 'constructor'],
    ['prototype at the top', `{"prototype":{},${base.slice(1)}`, 'prototype'],
    [
      '__proto__ inside an item',
      base.replace('"items":[', `"items":[${item},"__proto__":{"x":1}},`),
      'items.0.__proto__',
    ],
    [
      'constructor inside an item',
      base.replace('"items":[', `"items":[${item},"constructor":"x"},`),
      'items.0.constructor',
    ],
    [
      '__proto__ deep inside an extension field',
      `{"ext":{"loyalty":{"tiers":[{"__proto__":{"polluted":true}}]}},${base.slice(1)}`,
      'ext.loyalty.tiers.0.__proto__',
    ],
    [
      'prototype deep inside an item extension',
      base.replace('"items":[', `"items":[${item},"meta":{"a":{"prototype":1}}},`),
      'items.0.meta.a.prototype',
    ],
  ];

  it.each(cases)('%s', (_name, json, path) => {
    const input = fromJson(json);
    const result = validate(OrderSchema, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.issues?.[0]?.path).toBe(path);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('OrderSchema nesting limit', () => {
  function deepExtension(levels: number): unknown {
    let inner: unknown = 'leaf';
    for (let i = 0; i < levels; i++) inner = { d: inner };
    return { ...validOrder(), ext: inner };
  }

  // The order object is level 1 and `ext` adds `levels` more objects beneath it.
  it('accepts an order nested exactly MAX_DEPTH levels deep', () => {
    expect(validate(OrderSchema, deepExtension(LIMITS.MAX_DEPTH - 1)).ok).toBe(true);
  });

  it('rejects an order nested one level deeper than MAX_DEPTH', () => {
    const result = validate(OrderSchema, deepExtension(LIMITS.MAX_DEPTH));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_payload');
  });

  it('rejects deep nesting made of arrays', () => {
    let inner: unknown = [];
    for (let i = 0; i < 100; i++) inner = [inner];
    const result = validate(OrderSchema, { ...validOrder(), ext: inner });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_payload');
  });
});

describe('OrderSchema keeps forward-compatible extension fields', () => {
  it('keeps unknown fields of the order and its items as they are', () => {
    const input = fromJson(
      JSON.stringify({
        ...validOrder(),
        loyalty: { member_id: 'M-7', points: 120, tiers: ['gold'] },
        delivery_partner: null,
        items: [
          { product_id: 1, name: 'Es teh', quantity: 3, temperature: 'cold', extras: [{ id: 9 }] },
        ],
      }),
    );
    const result = validate(OrderSchema, input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual(input);
    expect(result.value.loyalty).toEqual({ member_id: 'M-7', points: 120, tiers: ['gold'] });
    expect(result.value.delivery_partner).toBeNull();
    expect(result.value.items[0]?.temperature).toBe('cold');
    expect(result.value.items[0]?.extras).toEqual([{ id: 9 }]);
  });
});

describe('OrderStateSchema', () => {
  it('accepts an order with its version and state fields', () => {
    const state = {
      ...validOrder({ status: 'ready' }),
      version: 3,
      updated_at: '2025-01-03T08:10:00Z',
      acknowledged_by: ['kds-1'],
      status_reason: 'done',
    };
    const result = validate(OrderStateSchema, state);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toEqual(state);
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['zero', 0],
    ['fractional', 1.5],
    ['a string', '1'],
  ])('rejects a version that is %s', (_name, version) => {
    const result = validate(OrderStateSchema, { ...validOrder(), version });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.[0]?.path).toBe('version');
  });
});
