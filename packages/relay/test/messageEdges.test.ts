import { EventEnvelopeSchema, validate } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

// Edges an outside fuzzing pass found between what the relay accepts and what it then does.
let t: TestRelay;
let pos: TestClient;
beforeEach(async () => {
  t = await startRelay();
  pos = await connected(t.url, { token: await tokenFor('admin') });
});
afterEach(async () => {
  await t.close();
});

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
      /[^\x00-\x7f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(written.length).toBeGreaterThan(65_536 + 1_024);
    const answer = await http(t.url, '/api/events', { token: await tokenFor('pos'), raw: written });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, seq: 1 });
  });
});
