import { describe, expect, it } from 'vitest';
import {
  HttpEventRequestSchema,
  OrderFireSchema,
  OrderHoldSchema,
  OrderItemUpdateSchema,
  OrderRecallSchema,
  OrderRushSchema,
  PublishedOrderSchema,
  validate,
} from '../src/index.js';
import { EVENT_ID, ORDER_ID, validOrder } from './fixtures.js';

const fail = (schema: Parameters<typeof validate>[0], input: unknown) => {
  const result = validate(schema, input);
  return result.ok ? 'ok' : `${result.error.code} ${result.error.issues?.[0]?.path}`;
};

describe('v1.1 request schemas', () => {
  it('accepts each command in its full form', () => {
    const base = { order_id: ORDER_ID, event_id: EVENT_ID };
    expect(
      fail(OrderItemUpdateSchema, { ...base, line_id: 'L1', status: 'ready', version: 2 }),
    ).toBe('ok');
    expect(fail(OrderHoldSchema, { ...base, course: 2, fire_at: '2026-03-01T12:15:00Z' })).toBe(
      'ok',
    );
    expect(fail(OrderFireSchema, { ...base, course: 'mains' })).toBe('ok');
    expect(fail(OrderRecallSchema, { ...base, line_id: 'L1', version: 3 })).toBe('ok');
    expect(fail(OrderRushSchema, base)).toBe('ok');
    expect(fail(HttpEventRequestSchema, { type: 'order:item_update', payload: {} })).toBe('ok');
  });

  it('refuses bad fields with invalid_payload at their path', () => {
    const ok = { order_id: ORDER_ID, line_id: 'L1', status: 'ready' };
    expect(fail(OrderItemUpdateSchema, { ...ok, status: 'held' })).toBe('invalid_payload status');
    expect(fail(OrderItemUpdateSchema, { ...ok, status: 'pending' })).toBe(
      'invalid_payload status',
    );
    expect(fail(OrderItemUpdateSchema, { ...ok, line_id: '' })).toBe('invalid_payload line_id');
    expect(fail(OrderItemUpdateSchema, { ...ok, line_id: 'x'.repeat(65) })).toBe(
      'invalid_payload line_id',
    );
    expect(fail(OrderItemUpdateSchema, { ...ok, version: 0 })).toBe('invalid_payload version');
    expect(fail(OrderItemUpdateSchema, { ...ok, version: 1.5 })).toBe('invalid_payload version');
    expect(fail(OrderItemUpdateSchema, { ...ok, extra: 1 })).toBe('invalid_payload extra');
    expect(fail(OrderHoldSchema, { order_id: ORDER_ID, fire_at: 'soon' })).toBe(
      'invalid_payload fire_at',
    );
    expect(fail(OrderFireSchema, { order_id: ORDER_ID, course: '' })).toBe(
      'invalid_payload course',
    );
    expect(fail(OrderRecallSchema, { order_id: 'abc' })).toBe('invalid_payload order_id');
    expect(fail(OrderRushSchema, { order_id: ORDER_ID, priority: 'rush' })).toBe(
      'invalid_payload priority',
    );
    expect(fail(HttpEventRequestSchema, { type: 'order:bump', payload: {} })).toBe(
      'invalid_payload type',
    );
  });

  it('checks a published order: unique line ids (derived ones too), holds of known courses', () => {
    const item = { product_id: 1, name: 'Soup', quantity: 1, course: 1 };
    expect(fail(PublishedOrderSchema, validOrder({ items: [item, item] }))).toBe('ok');
    expect(
      fail(
        PublishedOrderSchema,
        validOrder({
          items: [
            { ...item, line_id: 'a' },
            { ...item, line_id: 'a' },
          ],
        }),
      ),
    ).toBe('invalid_payload items');
    expect(
      fail(
        PublishedOrderSchema,
        validOrder({ items: [{ ...item, line_id: `${ORDER_ID}:1` }, item] }),
      ),
    ).toBe('invalid_payload items');
    expect(fail(PublishedOrderSchema, validOrder({ items: [item], hold: [{ course: 1 }] }))).toBe(
      'ok',
    );
    expect(fail(PublishedOrderSchema, validOrder({ items: [item], hold: [{}] }))).toBe('ok');
    expect(fail(PublishedOrderSchema, validOrder({ items: [item], hold: [{ course: 2 }] }))).toBe(
      'invalid_payload hold',
    );
    expect(fail(PublishedOrderSchema, validOrder({ items: [item], hold: [{ at: 1 }] }))).toBe(
      'invalid_payload hold.0.at',
    );
  });

  it('derives line ids from the lower-case order_id, as the relay keeps it', () => {
    const item = { product_id: 1, name: 'Soup', quantity: 1 };
    const shouted = ORDER_ID.toUpperCase();
    const derivedTwice = [item, { ...item, line_id: `${ORDER_ID}:0` }];
    expect(fail(PublishedOrderSchema, validOrder({ order_id: shouted, items: derivedTwice }))).toBe(
      'invalid_payload items',
    );
    // Line ids themselves are compared as given: another spelling is another line.
    const spelledApart = [item, { ...item, line_id: `${shouted}:0` }];
    expect(fail(PublishedOrderSchema, validOrder({ order_id: shouted, items: spelledApart }))).toBe(
      'ok',
    );
  });
});
