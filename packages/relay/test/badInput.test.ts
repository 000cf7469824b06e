import { type ErrorCode, EventEnvelopeSchema, validate } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  peek,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let t: TestRelay;
let pos: TestClient;
beforeEach(async () => {
  t = await startRelay();
  pos = await connected(t.url, { token: await tokenFor('admin') });
});
afterEach(async () => {
  await t.close();
});

const raw = (json: string) => JSON.parse(json) as unknown;
const item = { product_id: 1, name: 'Teh', quantity: 1 };
const withItem = (patch: Record<string, unknown>) =>
  order({ items: [{ ...item, ...patch }] as never });
const nested = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { v };
  return v;
};
const id = () => crypto.randomUUID();

interface Case {
  name: string;
  event?: string;
  payload: () => unknown;
  /** undefined = sent without an ack callback: only survival and storage are checked. */
  code?: ErrorCode;
  noArgs?: boolean;
}

const cases: Case[] = [
  { name: 'null payload', payload: () => null, code: 'invalid_payload' },
  { name: 'no payload at all', payload: () => undefined, noArgs: true, code: 'invalid_payload' },
  { name: 'a string', payload: () => 'order', code: 'invalid_payload' },
  { name: 'a number', payload: () => 42, code: 'invalid_payload' },
  { name: 'a boolean', payload: () => true, code: 'invalid_payload' },
  { name: 'an array', payload: () => [order()], code: 'invalid_payload' },
  { name: 'an empty object', payload: () => ({}), code: 'invalid_payload' },
  {
    name: 'missing order_id',
    payload: () => ({ ...order(), order_id: undefined }),
    code: 'invalid_payload',
  },
  {
    name: 'order_id not a UUID',
    payload: () => order({ order_id: 'abc-123' }),
    code: 'invalid_payload',
  },
  {
    name: 'order_id a number',
    payload: () => order({ order_id: 7 as never }),
    code: 'invalid_payload',
  },
  {
    name: 'missing items',
    payload: () => ({ ...order(), items: undefined }),
    code: 'invalid_payload',
  },
  { name: 'empty items', payload: () => order({ items: [] }), code: 'invalid_payload' },
  {
    name: 'items not an array',
    payload: () => order({ items: { 0: item } as never }),
    code: 'invalid_payload',
  },
  { name: 'float quantity', payload: () => withItem({ quantity: 1.5 }), code: 'invalid_payload' },
  { name: 'negative quantity', payload: () => withItem({ quantity: -2 }), code: 'invalid_payload' },
  { name: 'zero quantity', payload: () => withItem({ quantity: 0 }), code: 'invalid_payload' },
  {
    name: 'quantity as a string',
    payload: () => withItem({ quantity: '2' }),
    code: 'invalid_payload',
  },
  {
    name: 'item without product_id',
    payload: () => withItem({ product_id: undefined }),
    code: 'invalid_payload',
  },
  {
    name: 'total_amount a number',
    payload: () => order({ total_amount: 150 as never }),
    code: 'invalid_payload',
  },
  {
    name: 'total_amount not decimal',
    payload: () => order({ total_amount: '1e5' }),
    code: 'invalid_payload',
  },
  {
    name: 'created_at not ISO',
    payload: () => order({ created_at: 'yesterday' }),
    code: 'invalid_payload',
  },
  {
    name: 'unknown status',
    payload: () => order({ status: 'cooking' as never }),
    code: 'invalid_payload',
  },
  { name: 'empty outlet_id', payload: () => order({ outlet_id: '' }), code: 'invalid_payload' },
  {
    name: 'tenant_id too long',
    payload: () => order({ tenant_id: 'x'.repeat(65) }),
    code: 'invalid_payload',
  },
  {
    name: 'outlet_id an object',
    payload: () => order({ outlet_id: { id: 1 } as never }),
    code: 'invalid_payload',
  },
  {
    name: 'unknown priority',
    payload: () => order({ priority: 'now' as never }),
    code: 'invalid_payload',
  },
  {
    name: 'modifiers of numbers',
    payload: () => withItem({ modifiers: [1, 2] }),
    code: 'invalid_payload',
  },
  {
    name: 'event_id not a UUID',
    payload: () => ({ ...order(), event_id: 'e-1' }),
    code: 'invalid_payload',
  },
  {
    name: '__proto__ key (raw JSON)',
    payload: () => raw(`{"__proto__":{"admin":true},"order_id":"${id()}"}`),
    code: 'invalid_payload',
  },
  {
    name: 'constructor key in an item (raw JSON)',
    payload: () => ({
      ...order(),
      items: [raw('{"product_id":1,"name":"a","quantity":1,"constructor":{"prototype":{}}}')],
    }),
    code: 'invalid_payload',
  },
  {
    name: 'prototype key nested',
    payload: () => ({ ...order(), ext: { a: { prototype: 1 } } }),
    code: 'invalid_payload',
  },
  {
    name: 'nesting 20 levels deep',
    payload: () => ({ ...order(), ext: nested(20) }),
    code: 'invalid_payload',
  },
  {
    name: 'nesting 3,000 levels deep',
    payload: () => ({ ...order(), ext: nested(3_000) }),
    code: 'invalid_payload',
  },
  {
    name: '600 items (over the cap)',
    payload: () => order({ items: Array.from({ length: 600 }, () => item) }),
    code: 'invalid_payload',
  },
  {
    name: 'a binary value inside an order',
    payload: () => ({ ...order(), ext: { photo: Buffer.from('jpeg') } }),
    code: 'invalid_payload',
  },
  {
    name: 'over --max-message-bytes',
    payload: () => ({ ...order(), ext: 'x'.repeat(70_000) }),
    code: 'too_large',
  },
  {
    name: 'a huge array',
    payload: () => Array.from({ length: 50_000 }, (_, i) => i),
    code: 'too_large',
  },
  { name: 'invalid payload without ack callback', payload: () => ({ order_id: 'x' }) },
  {
    name: 'unknown event with ack',
    event: 'order:delete',
    payload: () => order(),
    code: 'not_found',
  },
  { name: 'unknown event without ack', event: 'hello', payload: () => order() },
  {
    name: 'update with unknown status',
    event: 'order:update',
    payload: () => ({ order_id: id(), status: 'eaten' }),
    code: 'invalid_payload',
  },
  {
    name: 'update without order_id',
    event: 'order:update',
    payload: () => ({ status: 'ready' }),
    code: 'invalid_payload',
  },
  {
    name: 'update with an extra field',
    event: 'order:update',
    payload: () => ({ order_id: id(), status: 'ready', sneaky: true }),
    code: 'invalid_payload',
  },
  {
    name: 'ack with a bad UUID',
    event: 'order:ack',
    payload: () => ({ order_id: '123' }),
    code: 'invalid_payload',
  },
  {
    name: 'ack of a non-object',
    event: 'order:ack',
    payload: () => 'o-1',
    code: 'invalid_payload',
  },
  { name: 'ping without ack callback', event: 'ping', payload: () => undefined },
  // v1.1
  {
    name: 'publish with two items of one line_id',
    payload: () =>
      order({
        items: [
          { ...item, line_id: 'a' },
          { ...item, line_id: 'a' },
        ],
      }),
    code: 'invalid_payload',
  },
  {
    name: 'publish with an empty line_id',
    payload: () => withItem({ line_id: '' }),
    code: 'invalid_payload',
  },
  {
    name: 'publish with a numeric line_id',
    payload: () => withItem({ line_id: 7 }),
    code: 'invalid_payload',
  },
  {
    name: 'publish holding a course no item has',
    payload: () => order({ items: [{ ...item, course: 1 }], hold: [{ course: 2 }] }),
    code: 'invalid_payload',
  },
  {
    name: 'publish with a hold that is not a list',
    payload: () => order({ hold: { course: 1 } as never }),
    code: 'invalid_payload',
  },
  {
    name: 'publish with a bad fire_at',
    payload: () => order({ hold: [{ fire_at: 'in 10 minutes' }] }),
    code: 'invalid_payload',
  },
  {
    name: 'item_update to held',
    event: 'order:item_update',
    payload: () => ({ order_id: id(), line_id: 'a', status: 'held' }),
    code: 'invalid_payload',
  },
  {
    name: 'item_update without line_id',
    event: 'order:item_update',
    payload: () => ({ order_id: id(), status: 'ready' }),
    code: 'invalid_payload',
  },
  {
    name: 'item_update with a float version',
    event: 'order:item_update',
    payload: () => ({ order_id: id(), line_id: 'a', status: 'ready', version: 1.5 }),
    code: 'invalid_payload',
  },
  {
    name: 'item_update of a string',
    event: 'order:item_update',
    payload: () => 'bump',
    code: 'invalid_payload',
  },
  {
    name: 'item_update of an order the relay does not have',
    event: 'order:item_update',
    payload: () => ({ order_id: id(), line_id: 'a', status: 'ready' }),
    code: 'not_found',
  },
  {
    name: 'hold with an extra field',
    event: 'order:hold',
    payload: () => ({ order_id: id(), minutes: 10 }),
    code: 'invalid_payload',
  },
  {
    name: 'fire with an empty course',
    event: 'order:fire',
    payload: () => ({ order_id: id(), course: '' }),
    code: 'invalid_payload',
  },
  {
    name: 'recall with a zero version',
    event: 'order:recall',
    payload: () => ({ order_id: id(), version: 0 }),
    code: 'invalid_payload',
  },
  {
    name: 'rush with a bad UUID',
    event: 'order:rush',
    payload: () => ({ order_id: 'o-1' }),
    code: 'invalid_payload',
  },
  {
    name: 'rush with a prototype key',
    event: 'order:rush',
    payload: () => raw(`{"order_id":"${id()}","__proto__":{"x":1}}`),
    code: 'invalid_payload',
  },
  {
    name: 'item_update too large',
    event: 'order:item_update',
    payload: () => ({ order_id: id(), line_id: 'a', status: 'ready', pad: 'x'.repeat(70_000) }),
    code: 'too_large',
  },
  // Central (PostgreSQL) could never store these: the uplink would stop at the event for good.
  {
    name: 'a NUL character in a note',
    payload: () => withItem({ notes: 'tanpa\u0000bawang' }),
    code: 'invalid_payload',
  },
  {
    name: 'half a surrogate pair in a name',
    payload: () => withItem({ name: 'Es teh \ud83c' }),
    code: 'invalid_payload',
  },
  {
    name: 'a NUL character in an extension key',
    payload: () => ({ ...order(), 'x\u0000': 1 }),
    code: 'invalid_payload',
  },
  {
    name: 'invalid item_update without ack callback',
    event: 'order:item_update',
    payload: () => ({ order_id: 'x' }),
  },
];

describe('bad input', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → stays up, stores nothing, next publish works', async (c) => {
    const event = c.event ?? 'order:publish';
    if (c.code) {
      const answer = c.noArgs
        ? await pos.socket.timeout(5_000).emitWithAck(event)
        : await pos.request(event, c.payload());
      expect(answer).toMatchObject({ ok: false, error: { code: c.code } });
    } else {
      pos.socket.emit(event, c.payload());
    }
    const valid = order();
    expect(await pos.request('order:publish', valid)).toEqual({
      ok: true,
      seq: 1,
      duplicate: false,
    });
    expect(pos.socket.connected).toBe(true);
    expect(await t.relay.reader.countEvents()).toBe(1);
    expect((await t.relay.reader.snapshot('1', null)).orders.map((o) => o.order_id)).toEqual([
      valid.order_id,
    ]);
  });

  it('keeps extension fields of a valid order as they are', async () => {
    const o = { ...order(), loyalty: { card: 'A-1', points: 3 } };
    await pos.request('order:publish', o);
    expect((await peek(t.relay, (s) => s.getOrder(o.order_id)))?.state).toMatchObject({
      loyalty: { card: 'A-1', points: 3 },
    });
  });

  it('ignores relay-owned state a POS sends with a new order', async () => {
    const o = {
      ...order(),
      version: 9,
      acknowledged_by: ['kds-1'],
      status_reason: 'x',
      received_at: '2000-01-01T00:00:00.000Z',
    };
    await pos.request('order:publish', o);
    const state = (await peek(t.relay, (s) => s.getOrder(o.order_id)))?.state;
    expect(state?.version).toBe(1);
    expect(state?.acknowledged_by).toBeUndefined();
    expect(state?.status_reason).toBeUndefined();
    // Ticket timers count from it on the relay's clock: the relay's time of logging, not the POS's.
    expect(state?.received_at).toBe(state?.updated_at);
    expect(Date.parse(state?.received_at ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
  });
});

// Edges an outside fuzzing pass found between what the relay accepts and what it then does.
const nestedExt = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('ids in another letter case', () => {
  it('are the same order: a duplicate publish, and updates and acks reach it', async () => {
    const first = order();
    expect(await pos.request('order:publish', first)).toEqual({
      ok: true,
      seq: 1,
      duplicate: false,
    });
    const shouted = { ...first, order_id: first.order_id.toUpperCase() };
    expect(await pos.request('order:publish', shouted)).toMatchObject({
      ok: true,
      seq: 1,
      duplicate: true,
    });
    expect(
      await pos.request('order:update', {
        order_id: first.order_id.toUpperCase(),
        status: 'preparing',
      }),
    ).toMatchObject({ ok: true, seq: 2 });
    const events = await t.relay.reader.eventsAfter('1', 0, 10, null);
    expect(events.map((e) => e.envelope.order_id)).toEqual([first.order_id, first.order_id]);
    expect(await t.relay.reader.countEvents()).toBe(2);
  });

  // Derived line ids come from the order_id as the relay keeps it (lower case): checked on
  // the id as sent, two lines of one id were stored and the second could never be bumped.
  it('derive line ids from the lower-case order_id: a given one that repeats it is refused', async () => {
    const shouted = crypto.randomUUID().toUpperCase();
    const kept = shouted.toLowerCase();
    const twice = order({ order_id: shouted, items: [item, { ...item, line_id: `${kept}:0` }] });
    expect(await pos.request('order:publish', twice)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', issues: [{ path: 'items' }] },
    });
    expect(await peek(t.relay, (s) => s.getOrder(kept))).toBeUndefined();

    const apart = order({ order_id: shouted, items: [item, { ...item, line_id: 'tea-2' }] });
    expect(await pos.request('order:publish', apart)).toMatchObject({ ok: true });
    for (const line_id of [`${kept}:0`, 'tea-2']) {
      const bump = { order_id: shouted, line_id, status: 'ready' };
      expect(await pos.request('order:item_update', bump)).toMatchObject({ ok: true });
    }
    expect((await peek(t.relay, (s) => s.getOrder(kept)))?.state.status).toBe('ready');
  });
});

describe('nesting', () => {
  it('an order is accepted only as deep as its event, which wraps it, still validates', async () => {
    const answers: Array<{ levels: number; ok: boolean }> = [];
    for (const levels of [12, 13, 14, 15]) {
      const answer = (await pos.request('order:publish', order({ ext: nestedExt(levels) }))) as {
        ok: boolean;
      };
      answers.push({ levels, ok: answer.ok });
    }
    expect(answers.some((a) => a.ok)).toBe(true);
    expect(answers.some((a) => !a.ok)).toBe(true);
    for (const event of await t.relay.reader.eventsAfter('1', 0, 10, null)) {
      expect(validate(EventEnvelopeSchema, event.envelope).ok).toBe(true);
    }
  });

  it('too deep for the stack is invalid_payload (nesting), not too_large', async () => {
    // Written by hand: this process's own JSON.stringify would overflow first.
    const levels = 6_000;
    const deep = `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const engine = pos.socket.io.engine;
    const ack = new Promise<string>((resolve) => {
      engine.on('packet', (packet: { type: string; data?: unknown }) => {
        if (packet.type === 'message' && String(packet.data).startsWith('39999')) {
          resolve(String(packet.data));
        }
      });
    });
    engine.write(`29999["order:publish",${deep}]`);
    const answer = JSON.parse((await ack).slice('39999'.length)) as unknown[];
    expect(answer[0]).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(pos.socket.connected).toBe(true);
  });
});

describe('POST /api/events', () => {
  it('limits the message, not the bytes it is written in (pretty-printed, \\u escapes)', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({
      product_id: i + 1,
      name: `Nasi goreng spésial ${i}`,
      quantity: 1,
      notes: 'tidak pedas, tanpa bawang goreng, saus terpisah',
    }));
    const payload = order({ items } as never);
    const compact = JSON.stringify({ type: 'order:publish', payload });
    expect(compact.length).toBeLessThan(65_536);
    // Pretty-printed and every non-ASCII character escaped, as Python's json.dumps writes it.
    const written = JSON.stringify({ type: 'order:publish', payload }, null, 8).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(written.length).toBeGreaterThan(65_536 + 1_024);
    const answer = await http(t.url, '/api/events', { token: await tokenFor('pos'), raw: written });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, seq: 1 });
  });
});
