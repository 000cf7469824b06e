import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventsResponse } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createMemoryEventStore, createSqliteEventStore } from '../src/index.js';
import { connected, http, order, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { logLines } from './logLines.js';

let t: TestRelay;
let pos: string;
let kitchen: string;
beforeEach(async () => {
  t = await startRelay();
  pos = await tokenFor('pos');
  kitchen = await tokenFor('kitchen');
});
afterEach(async () => {
  await t.close();
});

const publish = (payload: unknown, token = pos) =>
  http(t.url, '/api/events', { token, body: { type: 'order:publish', payload } });

/** A SQLite log in its own temp dir: every read calls `onRead`; `pollRead` settles on the first. */
function storeOnRead(onRead: () => void = () => undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'ks-poll-'));
  const store = createSqliteEventStore({ dataDir: dir });
  let read!: () => void;
  const pollRead = new Promise<void>((resolve) => {
    read = resolve;
  });
  const watched = {
    ...store,
    eventsAfter: (...args: Parameters<typeof store.eventsAfter>) => {
      read();
      onRead();
      return store.eventsAfter(...args);
    },
  };
  return { store: watched, dir, pollRead };
}

describe('POST /api/events', () => {
  it('answers like the socket ack, duplicates included', async () => {
    const o = order();
    expect((await publish(o)).body).toEqual({ ok: true, seq: 1, duplicate: false });
    expect((await publish(o)).body).toEqual({ ok: true, seq: 1, duplicate: true });
    const update = await http(t.url, '/api/events', {
      token: kitchen,
      body: { type: 'order:update', payload: { order_id: o.order_id, status: 'preparing' } },
    });
    expect(update.body).toEqual({ ok: true, seq: 2, version: 2, duplicate: false });
    const ack = await http(t.url, '/api/events', {
      token: kitchen,
      body: { type: 'order:ack', payload: { order_id: o.order_id } },
    });
    expect(ack.body).toEqual({ ok: true, seq: 3, duplicate: false });
  });

  it.each([
    ['invalid JSON', { raw: '{"type":' }, 400, 'invalid_payload'],
    ['an unknown type', { body: { type: 'order:delete', payload: {} } }, 400, 'invalid_payload'],
    [
      'an invalid order',
      { body: { type: 'order:publish', payload: { order_id: 1 } } },
      400,
      'invalid_payload',
    ],
    [
      'a __proto__ key',
      { raw: '{"type":"order:publish","payload":{"__proto__":{"x":1}}}' },
      400,
      'invalid_payload',
    ],
    [
      'a body over the limit',
      { body: { type: 'order:publish', payload: { pad: 'x'.repeat(70_000) } } },
      413,
      'too_large',
    ],
    [
      'a text body',
      { raw: 'hello', headers: { 'content-type': 'text/plain' } },
      400,
      'invalid_payload',
    ],
  ])('refuses %s', async (_name, init, status, code) => {
    const res = await http(t.url, '/api/events', { token: pos, ...init });
    expect([res.status, res.body.error.code]).toEqual([status, code]);
    expect(t.relay.store.countEvents()).toBe(0);
  });

  it('maps state-machine errors to 404 and 409', async () => {
    const o = order();
    await publish(o);
    const update = (status: string, orderId = o.order_id) =>
      http(t.url, '/api/events', {
        token: pos,
        body: { type: 'order:update', payload: { order_id: orderId, status } },
      });
    const missing = await update('preparing', crypto.randomUUID());
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    const skip = await update('completed');
    expect([skip.status, skip.body.error.code]).toEqual([409, 'invalid_transition']);
    const noToken = await http(t.url, '/api/events', {
      body: { type: 'order:publish', payload: order() },
    });
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'unauthorized']);
    const wrongRole = await publish(order(), kitchen);
    expect([wrongRole.status, wrongRole.body.error.code]).toEqual([403, 'forbidden']);
  });
});

describe('GET /api/events', () => {
  it('pages with since and limit and reports last_seq and epoch', async () => {
    for (let i = 0; i < 5; i++) await publish(order());
    const page = await http(t.url, '/api/events?outlet_id=1&since=1&limit=2', { token: kitchen });
    const body = page.body as EventsResponse;
    expect(body.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(body.last_seq).toBe(3);
    expect(body.epoch).toBe(t.relay.epoch);
    const rest = await http(t.url, '/api/events?since=3', { token: kitchen });
    expect(rest.body.events.map((e: { seq: number }) => e.seq)).toEqual([4, 5]);
    expect(rest.body.last_seq).toBe(5);
  });

  it('answers a long poll as soon as an event is committed', async () => {
    await publish(order());
    // The fetch gives up long before `wait` ends: only a wake-up by the commit can answer it.
    const poll = http(t.url, '/api/events?since=1&wait=30000', {
      token: kitchen,
      timeoutMs: 8_000,
    });
    const client = await connected(t.url, { token: pos });
    await client.request('order:publish', order());
    const res = await poll;
    expect(res.body.events.map((e: { seq: number }) => e.seq)).toEqual([2]);
  });

  it('wakes a tenant-scoped long poll only for its own tenant', async () => {
    const kitchenA = await tokenFor('kitchen', { tenants: ['A'] });
    const poll = http(t.url, '/api/events?since=0&wait=30000', {
      token: kitchenA,
      timeoutMs: 8_000,
    });
    const client = await connected(t.url, { token: pos });
    await client.request('order:publish', order({ tenant_id: 'B' }));
    await client.request('order:publish', order({ tenant_id: 'A' }));
    const res = await poll;
    expect(
      res.body.events.map((e: { seq: number; tenant_id: string }) => [e.seq, e.tenant_id]),
    ).toEqual([[2, 'A']]);
  });

  it('ends a long poll with no events when wait runs out', async () => {
    const res = await http(t.url, '/api/events?since=0&wait=300', { token: kitchen });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events: [], last_seq: 0, epoch: t.relay.epoch });
  });

  it('answers pending long polls when the relay closes, with sockets still connected', async () => {
    // Tells the test when the poll has read the log (it then waits for events).
    const { store: watched, dir, pollRead } = storeOnRead();
    const own = await startRelay({ store: watched });
    try {
      await connected(own.url, { token: kitchen });
      const poll = http(own.url, '/api/events?since=0&wait=30000', {
        token: kitchen,
        timeoutMs: 8_000,
      });
      await pollRead;
      await own.relay.close();
      const res = await poll;
      expect(res.status).toBe(200);
      expect(res.body.events).toEqual([]);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not start waiting once the relay is closing', async () => {
    let own: TestRelay | undefined;
    // The poll's first read is where shutdown begins: its wait would start after wakeAll.
    const { store: closingDuringRead, dir } = storeOnRead(() => void own?.relay.close());
    own = await startRelay({ store: closingDuringRead });
    try {
      const res = await http(own.url, '/api/events?since=0&wait=30000', {
        token: kitchen,
        timeoutMs: 8_000,
      });
      expect(res.status).toBe(200);
      expect(res.body.events).toEqual([]);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds at most --max-connections long polls and refuses more with rate_limited', async () => {
    const { store: watched, dir, pollRead } = storeOnRead();
    const own = await startRelay({ store: watched, maxConnections: 1 });
    try {
      const first = http(own.url, '/api/events?since=0&wait=30000', {
        token: kitchen,
        timeoutMs: 8_000,
      });
      await pollRead;
      const second = await http(own.url, '/api/events?since=0&wait=30000', {
        token: kitchen,
        timeoutMs: 8_000,
      });
      expect([second.status, second.body.error.code]).toEqual([429, 'rate_limited']);
      await http(own.url, '/api/events', {
        token: pos,
        body: { type: 'order:publish', payload: order() },
      });
      expect((await first).body.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
      const third = await http(own.url, '/api/events?since=0&wait=30000', { token: kitchen });
      expect(third.body.events).toHaveLength(1);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a snapshot for another epoch and refuses bad queries', async () => {
    await publish(order());
    const other = await http(t.url, '/api/events?since=1&epoch=older', { token: kitchen });
    expect(other.body.snapshot.orders).toHaveLength(1);
    expect(other.body.snapshot.epoch).toBe(t.relay.epoch);
    const bad = await http(t.url, '/api/events?since=abc', { token: kitchen });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_payload']);
    const long = await http(t.url, '/api/events?wait=60000', { token: kitchen });
    expect([long.status, long.body.error.code]).toEqual([400, 'invalid_payload']);
  });
});

describe('failures inside a route', () => {
  it('answers 500 internal as JSON and writes the cause to the relay log', async () => {
    const { destination, lines } = logLines<{
      level: number;
      msg: string;
      err?: { message: string };
    }>();
    const store = createMemoryEventStore();
    const broken = {
      ...store,
      openOrders: (): never => {
        throw new Error('disk on fire');
      },
    };
    const own = await startRelay({
      store: broken,
      logger: createLogger({ level: 'error', destination }),
    });
    try {
      const res = await http(own.url, '/api/events?since=5&epoch=other', { token: kitchen });
      expect([res.status, res.body.error.code]).toEqual([500, 'internal']);
      expect(lines.some((l) => l.err?.message === 'disk on fire')).toBe(true);
      expect((await http(own.url, '/health')).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('compatibility endpoints', () => {
  it('POST /emit publishes and GET /api/orders lists orders with id = seq', async () => {
    const a = order();
    const emitted = await http(t.url, '/emit', { token: pos, body: a });
    expect(emitted.body).toEqual({ ok: true, seq: 1, duplicate: false });
    await http(t.url, '/emit', { token: pos, body: order() });
    const all = await http(t.url, '/api/orders?outlet_id=1', { token: kitchen });
    expect(all.body.map((o: { id: number }) => o.id)).toEqual([1, 2]);
    expect(all.body[0]).toMatchObject({ order_id: a.order_id, status: 'pending' });
    const after = await http(t.url, '/api/orders?outlet_id=1&since_id=1', { token: kitchen });
    expect(after.body.map((o: { id: number }) => o.id)).toEqual([2]);
    const bad = await http(t.url, '/emit', { token: pos, body: { order_number: 'x' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_payload']);
  });
});

describe('operations endpoints', () => {
  it('GET /health answers without auth', async () => {
    await connected(t.url, { token: kitchen });
    await publish(order());
    const res = await http(t.url, '/health');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'status',
        'uptime',
        'connections',
        'clients',
        'head_seq',
        'store',
        'store_engine',
        'storage',
        'version',
        'timestamp',
        'tls',
        'host',
      ].sort(),
    );
    expect(res.body).toMatchObject({
      status: 'ok',
      tls: { enabled: false },
      connections: 1,
      clients: { pos: 0, kitchen: 1, monitor: 0, board: 0 },
      head_seq: 1,
      store: 'sqlite',
      store_engine: process.getBuiltinModule?.('node:sqlite') ? 'node:sqlite' : 'better-sqlite3',
      storage: { ok: true },
    });
  });

  it('GET /metrics exposes connections, appended events, latency and store size', async () => {
    await connected(t.url, { token: kitchen });
    await publish(order());
    const res = await http(t.url, '/metrics');
    expect(res.status).toBe(200);
    const text = res.body as string;
    expect(text).toMatch(/kitchen_sync_connections\{role="kitchen"\} 1/);
    expect(text).toMatch(/kitchen_sync_events_appended_total\{type="new_order"\} 1/);
    expect(text).toMatch(/kitchen_sync_publish_latency_seconds_count 1/);
    expect(text).toMatch(/kitchen_sync_store_events 1/);
  });

  it('answers unknown routes with a JSON 404 and sends CORS headers', async () => {
    const res = await http(t.url, '/nope');
    expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    const cors = await fetch(`${t.url}/health`, { headers: { origin: 'http://kiosk.local' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('*');
  });
});
