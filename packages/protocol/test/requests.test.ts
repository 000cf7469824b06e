import { describe, expect, it } from 'vitest';
import {
  HandshakeAuthSchema,
  HttpEventRequestSchema,
  OrderAckSchema,
  OrderUpdateSchema,
  validate,
} from '../src/index.js';
import { EVENT_ID, fromJson, ORDER_ID, validOrder } from './fixtures.js';

function expectRejected(result: ReturnType<typeof validate>, path: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('invalid_payload');
  expect(result.error.issues?.map((i) => i.path)).toContain(path);
}

describe('OrderUpdateSchema', () => {
  it.each<[string, unknown]>([
    ['a status change', { order_id: ORDER_ID, status: 'preparing' }],
    [
      'with event_id and reason',
      {
        order_id: ORDER_ID,
        status: 'cancelled',
        event_id: EVENT_ID,
        reason: 'guest left',
      },
    ],
    ['every status', { order_id: ORDER_ID, status: 'completed' }],
    ['v1.2: the version the screen saw', { order_id: ORDER_ID, status: 'ready', version: 2 }],
  ])('accepts %s', (_name, input) => {
    const result = validate(OrderUpdateSchema, input);
    expect(result).toEqual({ ok: true, value: input });
  });

  it.each<[string, unknown, string]>([
    ['an extra key', { order_id: ORDER_ID, status: 'ready', seq: 2 }, 'seq'],
    ['a version of 0', { order_id: ORDER_ID, status: 'ready', version: 0 }, 'version'],
    ['a fractional version', { order_id: ORDER_ID, status: 'ready', version: 1.5 }, 'version'],
    ['a non-UUID order_id', { order_id: '42', status: 'ready' }, 'order_id'],
    ['a missing order_id', { status: 'ready' }, 'order_id'],
    ['an unknown status', { order_id: ORDER_ID, status: 'done' }, 'status'],
    ['a missing status', { order_id: ORDER_ID }, 'status'],
    ['a non-UUID event_id', { order_id: ORDER_ID, status: 'ready', event_id: 'e1' }, 'event_id'],
    [
      'a reason over 500 chars',
      { order_id: ORDER_ID, status: 'ready', reason: 'r'.repeat(501) },
      'reason',
    ],
  ])('rejects %s', (_name, input, path) => {
    expectRejected(validate(OrderUpdateSchema, input), path);
  });

  it('rejects __proto__ sent as an own key', () => {
    const input = fromJson(`{"order_id":"${ORDER_ID}","status":"ready","__proto__":{"x":1}}`);
    expectRejected(validate(OrderUpdateSchema, input), '__proto__');
  });
});

describe('OrderAckSchema', () => {
  it.each<[string, unknown]>([
    ['an order_id', { order_id: ORDER_ID }],
    ['an order_id and event_id', { order_id: ORDER_ID, event_id: EVENT_ID }],
  ])('accepts %s', (_name, input) => {
    expect(validate(OrderAckSchema, input)).toEqual({ ok: true, value: input });
  });

  it.each<[string, unknown, string]>([
    ['an extra key', { order_id: ORDER_ID, kitchen_id: 'kds-1' }, 'kitchen_id'],
    ['a status (acks carry none)', { order_id: ORDER_ID, status: 'ready' }, 'status'],
    ['a non-UUID order_id', { order_id: 'abc' }, 'order_id'],
    ['a missing order_id', {}, 'order_id'],
  ])('rejects %s', (_name, input, path) => {
    expectRejected(validate(OrderAckSchema, input), path);
  });
});

describe('HandshakeAuthSchema', () => {
  it.each<[string, unknown]>([
    ['nothing (insecure relays need no token)', {}],
    ['a token and client id', { token: 'a.b.c', client_id: 'kds-1' }],
    ['a cursor with its epoch', { token: 'a.b.c', client_id: 'kds-1', since: 120, epoch: 'e1' }],
    ['since 0', { token: 't', since: 0 }],
    [
      'a cursor with the event applied at it',
      { token: 't', since: 120, epoch: 'e1', since_event: '0190a0b0-0000-7000-8000-000000000001' },
    ],
  ])('accepts %s', (_name, input) => {
    expect(validate(HandshakeAuthSchema, input)).toEqual({ ok: true, value: input });
  });

  it.each<[string, unknown, string]>([
    ['an extra key', { token: 't', role: 'admin' }, 'role'],
    ['a negative since', { token: 't', since: -1 }, 'since'],
    ['a fractional since', { token: 't', since: 1.5 }, 'since'],
    ['since as a string', { token: 't', since: '12' }, 'since'],
    ['an empty client_id', { token: 't', client_id: '' }, 'client_id'],
    ['a client_id over 64 chars', { token: 't', client_id: 'c'.repeat(65) }, 'client_id'],
    ['an epoch over 64 chars', { token: 't', epoch: 'e'.repeat(65) }, 'epoch'],
    ['a since_event over 64 chars', { token: 't', since_event: 'e'.repeat(65) }, 'since_event'],
    ['a numeric since_event', { token: 't', since: 3, since_event: 3 }, 'since_event'],
    ['a token over 4096 chars', { token: 't'.repeat(4097) }, 'token'],
    ['a numeric token', { token: 42 }, 'token'],
  ])('rejects %s', (_name, input, path) => {
    expectRejected(validate(HandshakeAuthSchema, input), path);
  });
});

describe('HttpEventRequestSchema', () => {
  it.each(['order:publish', 'order:update', 'order:ack'])('accepts type %s', (type) => {
    const input = { type, payload: validOrder() };
    expect(validate(HttpEventRequestSchema, input)).toEqual({ ok: true, value: input });
  });

  it.each<[string, unknown, string]>([
    ['an unknown type', { type: 'order:delete', payload: {} }, 'type'],
    ['a relay → client event name', { type: 'event', payload: {} }, 'type'],
    ['ping (socket only)', { type: 'ping', payload: {} }, 'type'],
    ['a missing type', { payload: {} }, 'type'],
    ['an extra key', { type: 'order:ack', payload: {}, token: 't' }, 'token'],
  ])('rejects %s', (_name, input, path) => {
    expectRejected(validate(HttpEventRequestSchema, input), path);
  });

  it('rejects a polluting key inside the payload before the payload is validated', () => {
    const input = fromJson(
      `{"type":"order:update","payload":{"order_id":"${ORDER_ID}","constructor":{}}}`,
    );
    expectRejected(validate(HttpEventRequestSchema, input), 'payload.constructor');
  });
});
