import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { SocketService } from '../../../src/socket/types.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';
import { FakeRelaySocket, resetFakes, socketServices } from '../socket/fakes.js';

const RELAY = 'http://relay.test:3001';
const services = socketServices({
  relayUrl: RELAY,
  io: FakeRelaySocket.factory,
  relayProbeMs: 0,
  pollingGraceMs: 3_600_000,
});

let timers: ManualTimers;
let posts: Array<{ type: string; payload: { order_id: string } }>;

beforeEach(() => {
  resetFakes();
  timers = new ManualTimers();
  posts = [];
});

/** Real socket service (fake socket.io socket), real outbox, one clock for both. */
async function connected(): Promise<{
  s: SocketService;
  relay: FakeRelaySocket;
  outbox: OrderOutbox;
}> {
  const s = services.make({ timers, now: timers.now });
  s.start();
  await settle();
  const relay = FakeRelaySocket.latest();
  relay.accept();
  const outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    timers,
    now: timers.now,
    locks: null,
    channel: null,
    socket: s,
    relayUrl: RELAY,
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body));
      posts.push(body);
      return Response.json({ ok: true, seq: 9, duplicate: false });
    },
  });
  await outbox.ready;
  return { s, relay, outbox };
}

/** Lets IndexedDB and the promise chains run (fake-indexeddb answers on real macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    timers.advance(Math.min(500, ms - t));
    await settle();
  }
}

const publishes = (relay: FakeRelaySocket) =>
  relay.emitted.filter((e) => e.event === 'order:publish');

const sent = (relay: FakeRelaySocket) =>
  relay.emitted
    .filter((e) => e.event.startsWith('order:'))
    .map((e) => `${e.event} ${(e.payload as { order_id: string }).order_id}`);

describe('OrderOutbox on a slow or silently dead relay socket', () => {
  it('takes an ack that comes after 6 s (congested Wi-Fi) instead of retrying, then sends the next', async () => {
    const { relay, outbox } = await connected();
    const delivered: string[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry.order_id));
    const first = await outbox.submit(makeOrder());
    // The same order's next entry: it waits for the first's answer, however late.
    await outbox.enqueue('order:update', { order_id: first, status: 'cancelled' });
    await settle();
    expect(sent(relay)).toEqual([`order:publish ${first}`]);

    // Past the 5 s request timeout the socket checks itself with a ping; the link answers it.
    await advance(5_000);
    const ping = relay.emitted.find((e) => e.event === 'ping');
    expect(ping).toBeDefined();
    await advance(1_000);
    publishes(relay)[0]?.ack?.({ ok: true, seq: 1, duplicate: false });
    await settle();

    expect(delivered).toEqual([first]);
    // Sent once, never again: the late ack was the answer.
    expect(sent(relay)).toEqual([`order:publish ${first}`, `order:update ${first}`]);
    expect(posts).toEqual([]);
    expect(relay.connected).toBe(true);
  });

  it('a socket that answers neither the order nor a ping is dropped, and HTTP delivers the order', async () => {
    const { s, relay, outbox } = await connected();
    const delivered: string[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry.order_id));
    const id = await outbox.submit(makeOrder());
    await settle();
    expect(publishes(relay)).toHaveLength(1);

    await advance(9_500);
    expect(s.status.get().localConnected).toBe(true);
    await advance(500);
    // 10 s without a word: the socket is given up (it reconnects) and the order goes by HTTP.
    expect(s.status.get().localConnected).toBe(false);
    expect(posts.map((p) => [p.type, p.payload.order_id])).toEqual([['order:publish', id]]);
    expect(delivered).toEqual([id]);
    expect(outbox.pending.get()).toEqual([]);
  });
});
