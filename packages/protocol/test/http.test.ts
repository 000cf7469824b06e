import { describe, expect, it } from 'vitest';
import { EventsQuerySchema, LIMITS, OrdersQuerySchema, validate } from '../src/index.js';

describe('EventsQuerySchema', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['an empty query', {}, {}],
    [
      'query strings coerced to numbers',
      { outlet_id: '1', since: '120', limit: '50', wait: '25000' },
      { outlet_id: '1', since: 120, limit: 50, wait: 25000 },
    ],
    ['numbers kept', { since: 3, limit: 1, wait: 0 }, { since: 3, limit: 1, wait: 0 }],
    ['since 0', { since: '0' }, { since: 0 }],
    ['the longest wait', { wait: String(LIMITS.MAX_WAIT_MS) }, { wait: LIMITS.MAX_WAIT_MS }],
    [
      'the largest page',
      { limit: String(LIMITS.EVENTS_PAGE_MAX) },
      { limit: LIMITS.EVENTS_PAGE_MAX },
    ],
    ['an epoch', { since: '5', epoch: 'k3j2' }, { since: 5, epoch: 'k3j2' }],
    [
      'the event at since',
      { since: '5', epoch: 'k3j2', since_event: 'ev-5' },
      { since: 5, epoch: 'k3j2', since_event: 'ev-5' },
    ],
  ])('accepts %s', (_name, input, expected) => {
    expect(validate(EventsQuerySchema, input)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['wait over 30000', { wait: '30001' }, 'wait'],
    ['a negative wait', { wait: '-1' }, 'wait'],
    ['a negative since', { since: '-1' }, 'since'],
    ['a fractional since', { since: '1.5' }, 'since'],
    ['a non-numeric since', { since: 'abc' }, 'since'],
    ['an empty since', { since: '' }, 'since'],
    ['a blank since', { since: '  ' }, 'since'],
    ['a hexadecimal since', { since: '0x10' }, 'since'],
    ['a binary limit', { limit: '0b11' }, 'limit'],
    ['an exponent wait', { wait: '1e3' }, 'wait'],
    ['a signed since', { since: '+5' }, 'since'],
    ['a since with spaces', { since: ' 5 ' }, 'since'],
    ['a repeated since (array)', { since: ['1', '2'] }, 'since'],
    ['limit 0', { limit: '0' }, 'limit'],
    ['limit over the page maximum', { limit: String(LIMITS.EVENTS_PAGE_MAX + 1) }, 'limit'],
    ['an empty outlet_id', { outlet_id: '' }, 'outlet_id'],
    ['an outlet_id over 64 chars', { outlet_id: 'o'.repeat(65) }, 'outlet_id'],
    ['an epoch over 64 chars', { epoch: 'e'.repeat(65) }, 'epoch'],
    ['a since_event over 64 chars', { since_event: 'e'.repeat(65) }, 'since_event'],
    ['a repeated since_event (array)', { since_event: ['a', 'b'] }, 'since_event'],
  ])('rejects %s', (_name, input, path) => {
    const result = validate(EventsQuerySchema, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.issues?.[0]?.path).toBe(path);
  });
});

describe('OrdersQuerySchema', () => {
  it('coerces since_id from the query string', () => {
    expect(validate(OrdersQuerySchema, { outlet_id: '2', since_id: '40' })).toEqual({
      ok: true,
      value: { outlet_id: '2', since_id: 40 },
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative since_id', { since_id: '-3' }],
    ['a non-numeric since_id', { since_id: 'latest' }],
  ])('rejects %s', (_name, input) => {
    const result = validate(OrdersQuerySchema, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.[0]?.path).toBe('since_id');
  });
});
