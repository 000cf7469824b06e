import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOrderOutbox,
  type OrderOutbox,
  type OrderOutboxOptions,
} from '../../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../../src/socket/socketService.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { mswServer } from '../fakes/mswServer.js';
import { until } from '../fakes/until.js';
import { FakeRelaySocket } from '../socket/fakes.js';

const RELAY = 'http://relay.test';
const server = mswServer();
const REFUSED = { code: 'unauthorized' as const, message: 'your token has expired' };

interface Sent {
  type: string;
  order_id: string;
  authorization: string | null;
}

let timers: ManualTimers;
let socket: FakeSocket;
let outbox: OrderOutbox;
let sent: Sent[];

beforeEach(() => {
  timers = new ManualTimers();
  socket = new FakeSocket();
  sent = [];
});

afterEach(() => outbox.stop());

function open(options: OrderOutboxOptions): OrderOutbox {
  outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    timers,
    now: timers.now,
    random: () => 0.5,
    backoff: { min: 1_000, jitter: 0 },
    locks: null,
    channel: null,
    socket,
    relayUrl: RELAY,
    token: 'stale',
    ...options,
  });
  return outbox;
}

/** Resolves once `count` requests wait for `release()`. */
function holding(count: number) {
  const waiting: Array<() => void> = [];
  let arrived = () => {};
  const all = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  return {
    all,
    /** Holds the caller until `release()`: the relay answers the window at once. */
    hold: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === count) arrived();
      }),
    release: () => {
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

/** The relay over HTTP: acks `Bearer fresh`; refuses any other token, after `before()`. */
function relayHttp(before: () => Promise<void> = async () => {}): void {
  server.use(
    http.post(`${RELAY}/api/events`, async ({ request }) => {
      const body = (await request.json()) as { type: string; payload: { order_id: string } };
      const authorization = request.headers.get('authorization');
      sent.push({ type: body.type, order_id: body.payload.order_id, authorization });
      if (authorization === 'Bearer fresh') {
        return HttpResponse.json({ ok: true, seq: sent.length, duplicate: false });
      }
      await before();
      return HttpResponse.json({ error: REFUSED }, { status: 401 });
    }),
  );
}

/** Eight orders' acks (a window) and, behind the first one's ack, an update of that order. */
async function fillWindow(): Promise<string[]> {
  const orders = Array.from({ length: 8 }, () => crypto.randomUUID());
  for (const order_id of orders) await outbox.enqueue('order:ack', { order_id });
  await outbox.enqueue('order:update', { order_id: orders[0] as string, status: 'preparing' });
  return orders;
}

const freshly = () => sent.filter((s) => s.authorization === 'Bearer fresh');
const sorted = (list: Sent[]) => list.map((s) => `${s.order_id} ${s.type}`).sort();
/** What `fillWindow` queued, each once, as `sorted` lists it. */
const eachOnce = (orders: string[]) =>
  [...orders.map((id) => `${id} order:ack`), `${orders[0]} order:update`].sort();

/** Lets IndexedDB and the promise chains run (fake-indexeddb answers on real macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A `refreshToken` that counts its calls and always hands out `fresh`. */
function countingRefresh() {
  const counted = {
    calls: 0,
    call: async () => {
      counted.calls++;
      return 'fresh';
    },
  };
  return counted;
}

describe('OrderOutbox token refresh', () => {
  it('8 entries refused at once ask for one refresh, then each goes once with the new token', async () => {
    const relay = holding(8);
    relayHttp(relay.hold);
    const refresh = countingRefresh();
    open({ refreshToken: refresh.call });
    const orders = await fillWindow();
    await relay.all;
    relay.release();
    await until(outbox.pending, (list) => list.length === 0);

    expect(refresh.calls).toBe(1);
    expect(sent.filter((s) => s.authorization === 'Bearer stale')).toHaveLength(8);
    // Nothing twice, and the update still after its order's ack.
    expect(sorted(freshly())).toEqual(eachOnce(orders));
    expect(
      freshly()
        .filter((s) => s.order_id === orders[0])
        .map((s) => s.type),
    ).toEqual(['order:ack', 'order:update']);
  });

  it('8 commands refused on an open socket (its token expired) ask once, then go over HTTP', async () => {
    const relay = holding(8);
    socket.setLocal(true);
    socket.handler = async (): Promise<RequestAck> => {
      await relay.hold();
      return { ok: false, error: REFUSED };
    };
    relayHttp();
    const refresh = countingRefresh();
    open({ refreshToken: refresh.call });
    const orders = await fillWindow();
    await relay.all;
    relay.release();
    await until(outbox.pending, (list) => list.length === 0);

    expect(refresh.calls).toBe(1);
    expect(socket.requests.map((r) => r.type)).toEqual(Array(8).fill('order:ack'));
    expect(sent.filter((s) => s.authorization !== 'Bearer fresh')).toEqual([]);
    expect(sorted(freshly())).toEqual(eachOnce(orders));
  });

  it('shares the one refresh with a socket service handed the same function', async () => {
    const relay = holding(8);
    relayHttp(relay.hold);
    let refreshes = 0;
    const refresh = async () => {
      refreshes++;
      return 'fresh';
    };
    const service = createSocketService({
      outletId: 1,
      relayUrl: RELAY,
      token: 'stale',
      onUnauthorized: refresh,
      io: FakeRelaySocket.factory,
      fetch: () => new Promise<Response>(() => {}),
      timers,
      now: timers.now,
      relayProbeMs: 0,
      page: null,
      permissions: null,
    });
    service.start();
    open({ socket: service, refreshToken: refresh });
    const orders = await fillWindow();
    await relay.all;
    FakeRelaySocket.latest().refuse('unauthorized');
    relay.release();
    await until(outbox.pending, (list) => list.length === 0);
    service.stop();

    expect(refreshes).toBe(1);
    expect(sorted(freshly())).toEqual(eachOnce(orders));
  });

  it('a refresh that fails is asked once: the entries stay, back off, and go after it', async () => {
    const relay = holding(8);
    let holdFirst = true;
    relayHttp(() => (holdFirst ? relay.hold() : Promise.resolve()));
    let refreshes = 0;
    open({
      refreshToken: async () => {
        if (++refreshes === 1) throw new Error('token service down');
        return 'fresh';
      },
    });
    const orders = await fillWindow();
    await relay.all;
    holdFirst = false;
    relay.release();
    await until(outbox.pending, (list) => list.filter((e) => e.attempts === 1).length === 8);
    await settle();

    expect(refreshes).toBe(1);
    expect(outbox.rejected.get()).toEqual([]);
    expect(outbox.pending.get()).toHaveLength(9);
    for (const entry of outbox.pending.get().filter((e) => e.attempts)) {
      expect(entry.last_error).toMatchObject({ code: 'unauthorized', status: 401 });
    }
    expect(timers.delays()).toEqual([1_000]);
    expect(freshly()).toEqual([]);

    timers.advance(1_000);
    await until(outbox.pending, (list) => list.length === 0);
    // The retries meet the old token again: one refresh more, for all of them.
    expect(refreshes).toBe(2);
    expect(sorted(freshly())).toEqual(eachOnce(orders));
  });
});
