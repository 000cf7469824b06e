import 'fake-indexeddb/auto';
import type { Order, OrderUpdate } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KitchenSyncError } from '../../../src/errors.js';
import {
  createOrderOutbox,
  type OrderOutbox,
  type OrderOutboxOptions,
} from '../../../src/outbox/orderOutbox.js';
import { FakeLocks } from '../fakes/fakeLocks.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { mswServer } from '../fakes/mswServer.js';
import { makeOrder } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

const RELAY = 'http://relay.test';
const server = mswServer();

interface HttpCall {
  type: string;
  payload: { order_id: string };
  authorization: string | null;
}

let idb: IDBFactory;
let timers: ManualTimers;
let socket: FakeSocket;
let outboxes: OrderOutbox[];
let httpCalls: HttpCall[];

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  socket = new FakeSocket();
  outboxes = [];
  httpCalls = [];
});

afterEach(() => {
  for (const outbox of outboxes) outbox.stop();
});

function open(options: OrderOutboxOptions = {}): OrderOutbox {
  const outbox = createOrderOutbox({
    indexedDB: idb,
    timers,
    now: timers.now,
    random: () => 0.5,
    backoff: { min: 1_000, max: 30_000, factor: 2, jitter: 0 },
    locks: null,
    channel: null,
    socket,
    ...options,
  });
  outboxes.push(outbox);
  return outbox;
}

/** The relay's HTTP endpoint; `answer` decides each response, every call is recorded. */
function relayHttp(answer: (call: HttpCall) => Response | Promise<Response>): void {
  server.use(
    http.post(`${RELAY}/api/events`, async ({ request }) => {
      const body = (await request.json()) as Omit<HttpCall, 'authorization'>;
      const call = { ...body, authorization: request.headers.get('authorization') };
      httpCalls.push(call);
      return answer(call);
    }),
  );
}

/** The socket's relay answers `internal` while `failing` is set, then acks. */
function flakyRelay(): { failing: boolean } {
  const relay = { failing: true };
  socket.handler = () =>
    relay.failing
      ? { ok: false, error: { code: 'internal', message: 'boom' } }
      : { ok: true, seq: 1, duplicate: false };
  return relay;
}

const sentIds = () => socket.requests.map((r) => (r.payload as Order).order_id);

describe('OrderOutbox submit', () => {
  it('persists, resolves with the order id and delivers over the socket ack', async () => {
    socket.setLocal(true);
    const outbox = open();
    const order = makeOrder();
    const delivered: string[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry.order_id));

    await expect(outbox.submit(order)).resolves.toBe(order.order_id);
    await outbox.flush();

    expect(socket.requests).toEqual([{ type: 'order:publish', payload: order }]);
    expect(delivered).toEqual([order.order_id]);
    expect(outbox.pending.get()).toEqual([]);
  });

  it('refuses an invalid order with invalid_payload and stores nothing', async () => {
    const outbox = open();
    const bad = { ...makeOrder(), items: [] } as Order;

    const error = (await outbox.submit(bad).catch((e) => e)) as KitchenSyncError;
    const polluted = JSON.parse(`{"__proto__": {"x": 1}, "order_id": "${crypto.randomUUID()}"}`);
    const error2 = (await outbox
      .submit({ ...makeOrder(), ...polluted })
      .catch((e) => e)) as KitchenSyncError;
    const notNew = (await outbox
      .submit(makeOrder({ status: 'ready' }))
      .catch((e) => e)) as KitchenSyncError;

    expect(error.code).toBe('invalid_payload');
    expect(error2.code).toBe('invalid_payload');
    expect(notNew.code).toBe('invalid_transition');
    const reopened = open();
    await reopened.ready;
    expect(reopened.pending.get()).toEqual([]);
  });

  it('gives each update an event_id and resends the same one on retry', async () => {
    socket.setLocal(true);
    let calls = 0;
    socket.handler = () =>
      ++calls === 1
        ? { ok: false, error: { code: 'internal', message: 'disk busy' } }
        : { ok: true, seq: 9, version: 2, duplicate: false };
    const outbox = open();
    const orderId = crypto.randomUUID();

    const entry = await outbox.enqueue('order:update', { order_id: orderId, status: 'preparing' });
    await outbox.flush();
    timers.advance(1_000);
    await until(outbox.pending, (list) => list.length === 0);

    const sent = socket.requests.map((r) => r.payload as OrderUpdate);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.event_id).toBe(sent[0]?.event_id);
    expect(entry.payload.event_id).toBe(sent[0]?.event_id);
  });

  it('refuses an update that does not match the protocol', async () => {
    const outbox = open();
    const error = (await outbox
      .enqueue('order:update', { order_id: 'nope', status: 'preparing' })
      .catch((e) => e)) as KitchenSyncError;
    expect(error.code).toBe('invalid_payload');
    expect(outbox.pending.get()).toEqual([]);
  });
});

describe('OrderOutbox ordering and retries', () => {
  it("keeps an order's entries, and new orders, in submission order under retries; others go on", async () => {
    socket.setLocal(true);
    const [a, d] = [makeOrder(), makeOrder()];
    const [b, c] = [crypto.randomUUID(), crypto.randomUUID()];
    let failuresLeft = 2;
    socket.handler = (request) => {
      const { order_id } = request.payload as Order;
      if (request.type === 'order:publish' && order_id === a.order_id && failuresLeft-- > 0) {
        return { ok: false, error: { code: 'rate_limited', message: 'slow down' } };
      }
      return { ok: true, seq: socket.requests.length, duplicate: false };
    };
    const outbox = open();
    const sent = () => socket.requests.map((r) => `${r.type} ${(r.payload as Order).order_id}`);
    const pa = `order:publish ${a.order_id}`;
    const [ackB, ackC] = [`order:ack ${b}`, `order:ack ${c}`];

    await outbox.submit(a);
    await outbox.enqueue('order:update', { order_id: a.order_id, status: 'cancelled' });
    await outbox.enqueue('order:ack', { order_id: b });
    await outbox.enqueue('order:ack', { order_id: c });
    await outbox.submit(d);
    await outbox.flush();
    // a's update waits for a, and so does the next new order; the acks of b and c do not.
    expect(sent()).toEqual([pa, ackB, ackC]);
    timers.advance(1_000);
    await until(outbox.pending, (list) => list[0]?.attempts === 2);
    expect(sent()).toEqual([pa, ackB, ackC, pa]);
    timers.advance(2_000);
    await until(outbox.pending, (list) => list.length === 0);

    expect(sent()).toEqual([
      pa,
      ackB,
      ackC,
      pa,
      pa,
      `order:update ${a.order_id}`,
      `order:publish ${d.order_id}`,
    ]);
  });

  it('waits by the backoff schedule and resets it after a success', async () => {
    socket.setLocal(true);
    const relay = flakyRelay();
    const outbox = open();
    await outbox.submit(makeOrder());
    await outbox.flush();

    const schedule: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      await until(outbox.pending, (list) => list[0]?.attempts === attempt);
      const [delay] = timers.delays();
      schedule.push(delay ?? -1);
      timers.advance(delay ?? 0);
    }
    expect(schedule).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);

    relay.failing = false;
    await until(outbox.pending, (list) => list.length === 0);
    relay.failing = true;
    await outbox.submit(makeOrder());
    await until(outbox.pending, (list) => list[0]?.attempts === 1);
    expect(timers.delays()).toEqual([1_000]);
  });

  it('spreads retries with the injected randomness', async () => {
    socket.setLocal(true);
    socket.handler = () => ({ ok: false, error: { code: 'internal', message: 'boom' } });
    const outbox = open({
      random: () => 1,
      backoff: { min: 1_000, factor: 2, jitter: 0.5 },
    });
    await outbox.submit(makeOrder());
    await until(outbox.pending, (list) => list[0]?.attempts === 1);
    expect(timers.delays()).toEqual([1_500]);
  });

  it('tries again at once when the browser comes back online', async () => {
    const target = new EventTarget();
    socket.setLocal(true);
    const relay = flakyRelay();
    const outbox = open({ window: target });
    await outbox.submit(makeOrder());
    await until(outbox.pending, (list) => list[0]?.attempts === 1);

    relay.failing = false;
    target.dispatchEvent(new Event('online'));
    await until(outbox.pending, (list) => list.length === 0);
    expect(timers.delays()).toEqual([]);
  });

  it('delivers as soon as the local socket connects', async () => {
    const outbox = open();
    await outbox.submit(makeOrder());
    await until(outbox.pending, (list) => list[0]?.attempts === 1);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('network');

    socket.setLocal(true);
    await until(outbox.pending, (list) => list.length === 0);
    expect(socket.requests).toHaveLength(1);
  });

  it('delivers over HTTP at once when polling reaches the relay again, not at the backoff', async () => {
    relayHttp(() =>
      httpCalls.length === 1
        ? HttpResponse.error()
        : HttpResponse.json({ ok: true, seq: 1, duplicate: false }),
    );
    const outbox = open({ relayUrl: RELAY, backoff: { min: 30_000, jitter: 0 } });
    await outbox.submit(makeOrder());
    await until(outbox.pending, (list) => list[0]?.attempts === 1);

    // The relay is back but its socket is not (a hung connect): polling answers first.
    socket.status.set({ ...socket.status.get(), mode: 'polling', pollConnected: true });
    await until(outbox.pending, (list) => list.length === 0);
    expect(httpCalls).toHaveLength(2);
    expect(timers.delays()).toEqual([]);
  });

  it('counts a duplicate ack as delivered', async () => {
    socket.setLocal(true);
    socket.handler = () => ({ ok: true, seq: 3, duplicate: true });
    const outbox = open();
    const delivered: number[] = [];
    outbox.on('delivered', (_entry, ack) => delivered.push(ack.seq));

    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(delivered).toEqual([3]);
    expect(outbox.pending.get()).toEqual([]);
    expect(outbox.rejected.get()).toEqual([]);
  });
});

describe('OrderOutbox failure classes', () => {
  it.each([
    ['network', 'retry'],
    ['timeout', 'retry'],
    ['rate_limited', 'retry'],
    ['internal', 'retry'],
    ['invalid_payload', 'reject'],
    ['invalid_transition', 'reject'],
    ['forbidden', 'reject'],
    ['not_found', 'reject'],
    ['too_large', 'reject'],
    ['order_conflict', 'reject'],
  ])('socket failure %s → %s', async (code, action) => {
    socket.setLocal(true);
    socket.handler = () => {
      if (code === 'network' || code === 'timeout') {
        throw new KitchenSyncError(code, code);
      }
      return { ok: false, error: { code: code as 'internal', message: code } };
    };
    const outbox = open();
    await outbox.submit(makeOrder());
    await outbox.flush();

    if (action === 'retry') {
      expect(outbox.pending.get()[0]?.attempts).toBe(1);
      expect(outbox.rejected.get()).toEqual([]);
      expect(timers.delays()).toEqual([1_000]);
    } else {
      expect(outbox.pending.get()).toEqual([]);
      expect(outbox.rejected.get().map((e) => e.error.code)).toEqual([code]);
      expect(timers.delays()).toEqual([]);
    }
  });

  it.each([
    [500, 'retry'],
    [503, 'retry'],
    [429, 'retry'],
    [408, 'retry'],
    [425, 'retry'],
    [400, 'reject'],
    [403, 'reject'],
    [404, 'reject'],
    [409, 'reject'],
    [413, 'reject'],
    [422, 'reject'],
  ])('HTTP %i → %s', async (status, action) => {
    relayHttp(() => HttpResponse.json({ error: { message: 'no' } }, { status }));
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(httpCalls).toHaveLength(1);
    if (action === 'retry') {
      expect(outbox.pending.get()[0]?.last_error?.status).toBe(status);
      expect(outbox.rejected.get()).toEqual([]);
    } else {
      expect(outbox.pending.get()).toEqual([]);
      expect(outbox.rejected.get()[0]?.error.status).toBe(status);
    }
  });

  // A 5xx is the server's problem whatever code its body names (a proxy's, a crashed view's).
  it.each([
    [500, 'invalid_payload'],
    [503, 'forbidden'],
  ])('HTTP %i with a body code %s is retried, not rejected', async (status, code) => {
    relayHttp(() => HttpResponse.json({ error: { code, message: 'no' } }, { status }));
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(outbox.rejected.get()).toEqual([]);
    expect(outbox.pending.get()[0]?.last_error?.status).toBe(status);
  });

  // The address or the token is wrong, not the order: it waits, and says what to fix.
  it('keeps an order the relay answers 426 https_required pending as relay_https_only', async () => {
    relayHttp(() =>
      HttpResponse.json(
        { error: { code: 'https_required', message: 'this relay serves HTTPS only' } },
        { status: 426 },
      ),
    );
    const outbox = open({ relayUrl: `${RELAY}/` });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(outbox.rejected.get()).toEqual([]);
    expect(outbox.pending.get()[0]?.last_error).toMatchObject({
      code: 'relay_https_only',
      status: 426,
    });
    expect(timers.delays()).toEqual([1_000]);
  });

  it('posts to the https:// address of a wss:// relay URL (fetch cannot open wss://)', async () => {
    server.use(
      http.post('https://relay.test/api/events', () =>
        HttpResponse.json({ ok: true, seq: 1, duplicate: false }),
      ),
    );
    const outbox = open({ relayUrl: 'wss://relay.test/' });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(outbox.pending.get()).toEqual([]);
  });

  it('does not post from an https page to an http:// relay, and says why (mixed content)', async () => {
    relayHttp(() => HttpResponse.json({ ok: true, seq: 1, duplicate: false }));
    socket.status.set({
      ...socket.status.get(),
      error: new KitchenSyncError('relay_insecure_url', 'a secure page cannot reach it'),
    });
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(httpCalls).toEqual([]);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('relay_insecure_url');
    expect(timers.delays()).toEqual([1_000]);
  });

  it('names a failed post by the socket’s code for the relay link (Local Network Access denied)', async () => {
    relayHttp(() => HttpResponse.error());
    socket.status.set({
      ...socket.status.get(),
      error: new KitchenSyncError('local_network_denied', 'Local Network Access is denied'),
    });
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(httpCalls).toHaveLength(1);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('local_network_denied');
  });

  it('keeps an order pending when the relay answers 431 (its headers, the token, too large)', async () => {
    relayHttp(() =>
      HttpResponse.json({ error: { code: 'too_large', message: 'headers' } }, { status: 431 }),
    );
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(outbox.rejected.get()).toEqual([]);
    expect(outbox.pending.get()[0]?.last_error).toMatchObject({ code: 'too_large', status: 431 });
  });

  it('retries an HTTP network error and a malformed answer', async () => {
    let call = 0;
    relayHttp(() =>
      ++call === 1 ? HttpResponse.error() : new HttpResponse('<html>proxy</html>', { status: 200 }),
    );
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('network');
    timers.advance(1_000);
    await until(outbox.pending, (list) => list[0]?.attempts === 2);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('malformed_response');
  });

  it('gives up on an HTTP request after the timeout and retries later', async () => {
    let arrived = () => {};
    const requested = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    relayHttp(() => {
      arrived();
      return new Promise<Response>(() => {});
    });
    const outbox = open({ relayUrl: RELAY, requestTimeoutMs: 2_000 });
    await outbox.submit(makeOrder());
    await requested;
    expect(timers.delays()).toEqual([2_000]);
    timers.advance(2_000);
    await until(outbox.pending, (list) => list[0]?.attempts === 1);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('timeout');
  });

  it('posts {type, payload} with the bearer token when no socket is up', async () => {
    relayHttp(() => HttpResponse.json({ ok: true, seq: 5, duplicate: false }));
    const outbox = open({ relayUrl: RELAY, token: () => 'tok-1' });
    const order = makeOrder();
    await outbox.submit(order);
    await outbox.flush();

    expect(httpCalls).toEqual([
      { type: 'order:publish', payload: order, authorization: 'Bearer tok-1' },
    ]);
    expect(outbox.pending.get()).toEqual([]);
  });

  it('awaits an async token function (like the socket service TokenSource)', async () => {
    relayHttp(() => HttpResponse.json({ ok: true, seq: 5, duplicate: false }));
    let asked = 0;
    const outbox = open({
      relayUrl: RELAY,
      token: async () => {
        asked++;
        return `tok-async-${asked}`;
      },
    });
    await outbox.submit(makeOrder());
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(httpCalls.map((c) => c.authorization)).toEqual([
      'Bearer tok-async-1',
      'Bearer tok-async-2',
    ]);
  });

  it('treats a token function that throws as unauthorized and retries after the backoff', async () => {
    relayHttp(() => HttpResponse.json({ ok: true, seq: 5, duplicate: false }));
    const outbox = open({
      relayUrl: RELAY,
      token: async () => {
        throw new Error('token service down');
      },
    });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(httpCalls).toEqual([]);
    expect(outbox.pending.get()[0]?.last_error?.code).toBe('unauthorized');
    expect(timers.delays()).toEqual([1_000]);
  });

  it('falls back to HTTP when the socket drops mid-request', async () => {
    socket.setLocal(true);
    socket.handler = () => {
      socket.setLocal(false);
      throw new KitchenSyncError('network', 'gone');
    };
    relayHttp(() => HttpResponse.json({ ok: true, seq: 1, duplicate: false }));
    const outbox = open({ relayUrl: RELAY });
    await outbox.submit(makeOrder());
    await outbox.flush();
    expect(socket.requests).toHaveLength(1);
    expect(httpCalls).toHaveLength(1);
    expect(outbox.pending.get()).toEqual([]);
  });

  it('refreshes the token on 401 and retries with the new one', async () => {
    relayHttp((call) =>
      call.authorization === 'Bearer fresh'
        ? HttpResponse.json({ ok: true, seq: 1, duplicate: false })
        : HttpResponse.json(
            { error: { code: 'unauthorized', message: 'expired' } },
            { status: 401 },
          ),
    );
    let refreshes = 0;
    const outbox = open({
      relayUrl: RELAY,
      token: 'stale',
      refreshToken: async () => {
        refreshes++;
        return 'fresh';
      },
    });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(httpCalls.map((c) => c.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(refreshes).toBe(1);
    expect(outbox.pending.get()).toEqual([]);
  });

  it('waits with backoff when a refreshed token is refused again', async () => {
    relayHttp(() =>
      HttpResponse.json({ error: { code: 'unauthorized', message: 'no' } }, { status: 401 }),
    );
    const outbox = open({ relayUrl: RELAY, token: 'a', refreshToken: async () => 'b' });
    await outbox.submit(makeOrder());
    await outbox.flush();

    expect(httpCalls).toHaveLength(2);
    expect(outbox.pending.get()[0]?.attempts).toBe(2);
    expect(outbox.rejected.get()).toEqual([]);
    expect(timers.delays()).toEqual([1_000]);
  });
});

describe('OrderOutbox rejected entries', () => {
  it('moves a refused entry aside, keeps the line moving, and can retry or discard it', async () => {
    socket.setLocal(true);
    const [a, b, c] = [makeOrder(), makeOrder(), makeOrder()];
    const refused = new Set([a.order_id, c.order_id]);
    socket.handler = (request) =>
      refused.has((request.payload as Order).order_id)
        ? { ok: false, error: { code: 'forbidden', message: 'not your tenant' } }
        : { ok: true, seq: 1, duplicate: false };
    const outbox = open();
    await outbox.submit(a);
    await outbox.submit(b);
    await outbox.submit(c);
    await outbox.flush();

    expect(sentIds()).toEqual([a.order_id, b.order_id, c.order_id]);
    expect(outbox.rejected.get().map((e) => [e.order_id, e.error.code])).toEqual([
      [a.order_id, 'forbidden'],
      [c.order_id, 'forbidden'],
    ]);

    const reopened = open({ socket: new FakeSocket() });
    await reopened.ready;
    expect(reopened.rejected.get().map((e) => e.order_id)).toEqual([a.order_id, c.order_id]);
    reopened.stop();

    refused.clear();
    const [rejectedA, rejectedC] = outbox.rejected.get();
    await outbox.retry(rejectedA!.id);
    await outbox.flush();
    await outbox.discard(rejectedC!.id);

    expect(sentIds()).toEqual([a.order_id, b.order_id, c.order_id, a.order_id]);
    expect(outbox.rejected.get()).toEqual([]);
    expect(outbox.pending.get()).toEqual([]);
    const error = (await outbox.retry(rejectedC!.id).catch((e) => e)) as KitchenSyncError;
    expect(error.code).toBe('not_found');
  });
});

describe('OrderOutbox persistence', () => {
  it('survives a reload: a new outbox on the same database resumes in order', async () => {
    const first = open();
    const orders = [makeOrder(), makeOrder(), makeOrder()];
    for (const order of orders) await first.submit(order);
    first.stop();

    const down = new FakeSocket();
    const second = open({ socket: down });
    await second.ready;
    expect(second.pending.get().map((e) => e.order_id)).toEqual(orders.map((o) => o.order_id));

    down.setLocal(true);
    await until(second.pending, (list) => list.length === 0);
    expect(down.requests.map((r) => (r.payload as Order).order_id)).toEqual(
      orders.map((o) => o.order_id),
    );
  });
});

describe('OrderOutbox across tabs', () => {
  it('delivers from one tab only while it holds the lock; the other takes over', async () => {
    const locks = new FakeLocks();
    const socketA = new FakeSocket();
    const socketB = new FakeSocket();
    socketA.setLocal(true);
    socketB.setLocal(true);
    const tabA = open({ locks, socket: socketA });
    await until(tabA.delivering, (d) => d);
    const tabB = open({ locks, socket: socketB });
    await tabB.ready;

    const fromB = makeOrder();
    await tabB.submit(fromB);
    await tabB.flush();
    expect(tabB.delivering.get()).toBe(false);
    expect(socketB.requests).toHaveLength(0);

    await tabA.flush();
    expect(socketA.requests.map((r) => (r.payload as Order).order_id)).toEqual([fromB.order_id]);

    const later = makeOrder();
    await tabB.submit(later);
    tabA.stop();
    await until(tabB.delivering, (d) => d);
    await until(tabB.pending, (list) => list.length === 0);
    expect(socketB.requests.map((r) => (r.payload as Order).order_id)).toEqual([later.order_id]);
    expect(socketA.requests).toHaveLength(1);
  });

  it('tells the delivering tab through the channel, which delivers at once', async () => {
    const locks = new FakeLocks();
    socket.setLocal(true);
    const dbName = `tabs-${crypto.randomUUID()}`;
    const tabA = open({ locks, channel: undefined, dbName });
    await until(tabA.delivering, (d) => d);
    const tabB = open({ locks, channel: undefined, dbName, socket: new FakeSocket() });
    await tabB.ready;

    const order = makeOrder();
    await tabB.submit(order);

    await until(tabB.pending, (list) => list.length === 0);
    expect(sentIds()).toEqual([order.order_id]);
    expect(tabB.delivering.get()).toBe(false);
  });
});

describe('OrderOutbox told of changes by another tab', () => {
  // The soak: a second tab taking orders under load sent a message per order, and a full read
  // of both lists started for each one slowed submits from ~7 ms to ~490 ms.
  it('reads its lists once at a time, and once more after, however many messages come', async () => {
    const listeners: Array<() => void> = [];
    const channel = {
      postMessage: () => undefined,
      addEventListener: (_type: 'message', listener: () => void) => listeners.push(listener),
      removeEventListener: () => undefined,
      close: () => undefined,
    };
    const dbName = `tabs-${crypto.randomUUID()}`;
    const outbox = open({ channel, dbName });
    await outbox.ready;
    // The other tab's order, in the shared database; this tab hears of it by message only.
    await open({ channel: null, dbName, socket: new FakeSocket() }).submit(makeOrder());
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    for (let i = 0; i < 50; i++) for (const listener of listeners) listener();
    await until(outbox.pending, (list) => list.length === 1);
    // Whole lists only: delivery reads the head of the queue (with a count) as it sends.
    const reads = getAll.mock.calls.filter((args) => args[1] === undefined).length;
    getAll.mockRestore();
    // Two lists per read: the read in flight, and at most the one after it.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(4);
  });
});

describe('OrderOutbox on a page without secure-context APIs (plain http on the LAN)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('no Web Locks, no crypto.randomUUID: delivers on its own and says so in its status', async () => {
    const order = makeOrder();
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) });
    vi.stubGlobal('navigator', {});
    socket.setLocal(true);
    const outbox = open({ locks: undefined });
    await until(outbox.status, (s) => s.delivering);
    expect(outbox.status.get()).toEqual({ lock: 'unavailable', delivering: true });

    await outbox.submit(order);
    const update = await outbox.enqueue('order:update', {
      order_id: order.order_id,
      status: 'preparing',
    });
    expect(update.payload.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
    await until(outbox.pending, (list) => list.length === 0);
    expect(socket.requests.map((r) => r.type)).toEqual(['order:publish', 'order:update']);
  });

  it('with Web Locks the status says who delivers: held here, waiting in the other tab', async () => {
    const locks = new FakeLocks();
    const tabA = open({ locks });
    await until(tabA.status, (s) => s.delivering);
    const tabB = open({ locks });
    await tabB.ready;
    expect(tabA.status.get()).toEqual({ lock: 'held', delivering: true });
    expect(tabB.status.get()).toEqual({ lock: 'waiting', delivering: false });
    tabA.stop();
    await until(tabB.status, (s) => s.lock === 'held' && s.delivering);
    expect(tabA.status.get()).toEqual({ lock: 'waiting', delivering: false });
  });
});

describe('OrderOutbox robustness', () => {
  // Stored, a value JSON cannot carry failed every send as "network" and held every later
  // order behind it for good.
  it('refuses an order JSON cannot carry, storing nothing, and keeps what JSON drops out', async () => {
    socket.setLocal(true);
    socket.handler = () => ({ ok: true, seq: socket.requests.length, duplicate: false });
    const outbox = open();
    const bigint = (await outbox
      .submit(makeOrder({ meta: { n: 1n } } as never))
      .catch((e) => e)) as KitchenSyncError;
    expect(bigint).toBeInstanceOf(KitchenSyncError);
    expect(bigint.code).toBe('invalid_payload');
    const withFunction = makeOrder({ print: () => 1 } as never);
    await outbox.submit(withFunction);
    await outbox.flush();
    expect(sentIds()).toEqual([withFunction.order_id]);
    expect(socket.requests[0]?.payload).not.toHaveProperty('print');
    expect(outbox.pending.get()).toEqual([]);
  });

  it('says storage when the device cannot store the order, and not_started after stop()', async () => {
    const outbox = open();
    await outbox.ready;
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    try {
      const full = (await outbox.submit(makeOrder()).catch((e) => e)) as KitchenSyncError;
      expect(full).toBeInstanceOf(KitchenSyncError);
      expect(full.code).toBe('storage');
    } finally {
      add.mockRestore();
    }
    outbox.stop();
    for (const call of [() => outbox.retry(1), () => outbox.discard(1)]) {
      const error = (await call().catch((e) => e)) as KitchenSyncError;
      expect(error).toBeInstanceOf(KitchenSyncError);
      expect(error.code).toBe('not_started');
    }
  });

  it('a listener that throws keeps neither the other listeners nor delivery from going on', async () => {
    const reported: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      reported.push(fn);
    });
    socket.setLocal(true);
    socket.handler = (request) =>
      (request.payload as Order).order_id === refused.order_id
        ? { ok: false, error: { code: 'forbidden', message: 'no' } }
        : { ok: true, seq: 1, duplicate: false };
    const refused = makeOrder();
    const outbox = open();
    const heard: string[] = [];
    outbox.on('delivered', () => {
      throw new Error('app bug');
    });
    outbox.on('delivered', (entry) => heard.push(`delivered ${entry.order_id}`));
    outbox.on('rejected', () => {
      throw new Error('app bug');
    });
    outbox.on('rejected', (entry) => heard.push(`rejected ${entry.order_id}`));
    const ok = makeOrder();
    await outbox.submit(ok);
    await outbox.submit(refused);
    await outbox.flush();

    expect(heard).toEqual([`delivered ${ok.order_id}`, `rejected ${refused.order_id}`]);
    expect(reported).toHaveLength(2);
  });

  it('stop() aborts an HTTP delivery in flight and leaves the entry for the next start', async () => {
    let signal: AbortSignal | undefined;
    let arrived = () => {};
    const requested = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const hangingFetch = (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      signal = init?.signal ?? undefined;
      arrived();
      // Like the real fetch: pending until aborted.
      return new Promise<Response>((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    };
    const dbName = `stop-${crypto.randomUUID()}`;
    const outbox = open({ relayUrl: RELAY, dbName, fetch: hangingFetch as typeof fetch });
    const order = makeOrder();
    await outbox.submit(order);
    await requested;
    outbox.stop();

    expect(signal?.aborted).toBe(true);
    await vi.waitFor(() => expect(timers.delays()).toEqual([]));
    const reopened = open({ dbName, socket: new FakeSocket() });
    await reopened.ready;
    expect(reopened.pending.get().map((e) => e.order_id)).toEqual([order.order_id]);
  });
});
