import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_VALUES, EventEnvelopeSchema, eventDedupKey, validate } from '../src/index.js';
import { EVENT_ID, ORDER_ID, validOrder } from './fixtures.js';

function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seq: 7,
    event_id: EVENT_ID,
    type: 'new_order',
    outlet_id: 1,
    tenant_id: 3,
    order_id: ORDER_ID,
    data: { ...validOrder(), version: 1 },
    ts: '2025-01-03T08:00:35.000Z',
    ...overrides,
  };
}

describe('EventEnvelopeSchema', () => {
  it.each(EVENT_TYPE_VALUES)('accepts type %s', (type) => {
    expect(validate(EventEnvelopeSchema, envelope({ type })).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a presence event (seq null, no order)',
      {
        seq: null,
        type: 'kitchen_status_changed',
        order_id: undefined,
        data: { kitchen_id: 'kds-1', status: 'connected', timestamp: '2025-01-03T08:00:00Z' },
      },
    ],
    ['an origin client id', { origin: 'pos-1' }],
    ['string ids', { outlet_id: 'outlet-a', tenant_id: 'tenant-b' }],
    ['a null tenant', { tenant_id: null }],
    ['seq 0', { seq: 0 }],
  ])('accepts %s', (_name, overrides) => {
    const input = envelope(overrides);
    const result = validate(EventEnvelopeSchema, input);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toEqual(input);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown type', { type: 'order_deleted' }, 'type'],
    ['a socket request name as type', { type: 'order:publish' }, 'type'],
    ['a negative seq', { seq: -1 }, 'seq'],
    ['a fractional seq', { seq: 1.5 }, 'seq'],
    ['a string seq', { seq: '7' }, 'seq'],
    ['a missing seq', { seq: undefined }, 'seq'],
    ['a non-UUID event_id', { event_id: 'evt-1' }, 'event_id'],
    ['a non-UUID order_id', { order_id: 'o-1' }, 'order_id'],
    ['a missing outlet_id', { outlet_id: undefined }, 'outlet_id'],
    ['an outlet_id over 64 chars', { outlet_id: 'o'.repeat(65) }, 'outlet_id'],
    ['a ts that is not ISO 8601', { ts: 'yesterday' }, 'ts'],
    ['a numeric origin', { origin: 5 }, 'origin'],
  ])('rejects %s', (_name, overrides, path) => {
    const result = validate(EventEnvelopeSchema, envelope(overrides));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.issues?.[0]?.path).toBe(path);
  });
});

describe('eventDedupKey', () => {
  it.each<[string, Parameters<typeof eventDedupKey>[0], string]>([
    [
      'the event_id when present',
      { event_id: EVENT_ID, type: 'order_updated', order_id: ORDER_ID },
      EVENT_ID,
    ],
    [
      'type:order_id:status without event_id',
      { type: 'order_updated', order_id: ORDER_ID, data: { status: 'ready' } },
      `order_updated:${ORDER_ID}:ready`,
    ],
    [
      'type:order_id:status with a null event_id',
      {
        event_id: null,
        type: 'order_completed',
        order_id: ORDER_ID,
        data: { status: 'completed' },
      },
      `order_completed:${ORDER_ID}:completed`,
    ],
    [
      'an empty status part when data has none',
      { type: 'order_acknowledged', order_id: ORDER_ID },
      `order_acknowledged:${ORDER_ID}:`,
    ],
    [
      'an empty status part when data is null',
      { type: 'order_acknowledged', order_id: ORDER_ID, data: null },
      `order_acknowledged:${ORDER_ID}:`,
    ],
    [
      'an empty status part for a non-string status',
      { type: 'order_updated', order_id: ORDER_ID, data: { status: 3 } },
      `order_updated:${ORDER_ID}:`,
    ],
    [
      'an empty order part without order_id',
      { type: 'kitchen_status_changed', data: {} },
      'kitchen_status_changed::',
    ],
  ])('uses %s', (_name, event, key) => {
    expect(eventDedupKey(event)).toBe(key);
  });

  it('gives the same key to the same change seen from relay and central', () => {
    const fromRelay = {
      type: 'order_updated',
      order_id: ORDER_ID,
      data: { status: 'ready', version: 2 },
    };
    const fromCentral = { ...fromRelay, data: { ...fromRelay.data } };
    const differentStatus = { ...fromRelay, data: { status: 'preparing', version: 2 } };
    expect(eventDedupKey(fromRelay)).toBe(eventDedupKey(fromCentral));
    expect(eventDedupKey(fromRelay)).not.toBe(eventDedupKey(differentStatus));
  });

  it('tells a second pass through a status after a recall from the first, by version', () => {
    const ready = {
      type: 'order_updated',
      order_id: ORDER_ID,
      data: { status: 'ready', version: 6 },
    };
    const readyAgain = { ...ready, data: { status: 'ready', version: 8 } };
    expect(eventDedupKey(ready)).toBe(`order_updated:${ORDER_ID}:ready:6`);
    expect(eventDedupKey(readyAgain)).not.toBe(eventDedupKey(ready));
  });
});
