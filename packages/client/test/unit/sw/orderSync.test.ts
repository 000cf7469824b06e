import './workerGlobals.js';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueStore, StorableRequest } from 'workbox-background-sync';
import { classifyResponse } from '../../../src/sw/classify.js';
import { createLock } from '../../../src/sw/lock.js';
import { OrderQueueDb } from '../../../src/sw/orderQueueDb.js';
import { OrderSync } from '../../../src/sw/orderSync.js';
import { ManualTimers } from '../fakes/manualTimers.js';

const URL_ORDERS = 'https://kiosk.test/api/public/order-groups/';
const HOUR = 60 * 60_000;

interface Sent {
  key: string | null;
  orderId: string;
}

/** A backend that records what it was sent and answers from `answer`. */
function backend(answer: (sent: Sent, index: number) => number | 'network' | 'hang' = () => 201) {
  const sent: Sent[] = [];
  let hung: () => void = () => undefined;
  const hanging = new Promise<void>((resolve) => {
    hung = resolve;
  });
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = async (input: RequestInfo | URL): Promise<Response> => {
    const request = input as Request;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const body = (await request.json()) as { order_id: string };
      const record = { key: request.headers.get('Idempotency-Key'), orderId: body.order_id };
      const result = answer(record, sent.length);
      sent.push(record);
      if (result === 'network') throw new TypeError('Failed to fetch');
      if (result === 'hang') {
        hung();
        await new Promise<never>((_, reject) =>
          request.signal.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          ),
        );
      }
      return new Response(JSON.stringify({ status: result }), { status: result as number });
    } finally {
      inFlight -= 1;
    }
  };
  return {
    sent,
    fetch: fetch as typeof globalThis.fetch,
    maxInFlight: () => maxInFlight,
    /** Resolves once a request is hanging. */
    hanging,
  };
}

let clock = 1_800_000_000_000;
let changes = 0;
// vi's fake timers stall fake-indexeddb: the sync's own timers are moved by hand instead.
let timers = new ManualTimers();
const TIMEOUT_MS = 1_000;
const ANSWER_WITHIN_MS = 500;

function orderSync(fetch: typeof globalThis.fetch) {
  return new OrderSync({
    db: new OrderQueueDb('order-sync-queue'),
    lock: createLock('test'),
    classify: classifyResponse,
    retentionMs: 24 * HOUR,
    timeoutMs: TIMEOUT_MS,
    answerWithinMs: ANSWER_WITHIN_MS,
    fetch,
    now: () => clock,
    timers,
    randomUUID: () => 'generated-key',
    onChange: () => {
      changes += 1;
    },
  });
}

const orderRequest = (n: number, headers: Record<string, string> = {}) =>
  new Request(URL_ORDERS, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ order_id: `order-${n}`, order_number: `OFF-${n}` }),
  });

async function enqueueAll(sync: OrderSync, ns: number[]): Promise<void> {
  for (const n of ns) await sync.enqueue(orderRequest(n));
}

beforeEach(() => {
  // A fresh database per test; idb opens through the globals.
  globalThis.indexedDB = new IDBFactory();
  clock = 1_800_000_000_000;
  changes = 0;
  timers = new ManualTimers();
});

describe('OrderSync replay', () => {
  it('sends every order once, in order, one at a time, each with its order_id as Idempotency-Key', async () => {
    const server = backend();
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1, 2, 3, 4, 5]);

    const results = await Promise.all([sync.replay(), sync.replay(), sync.replay()]);

    expect(server.sent).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ key: `order-${n}`, orderId: `order-${n}` })),
    );
    expect(server.maxInFlight()).toBe(1);
    expect(results.map((r) => r.replayed)).toEqual([5, 0, 0]);
    expect(results.at(-1)).toMatchObject({ remaining: 0, rejected: 0, stopped: false });
    expect(changes).toBeGreaterThan(0);
  });

  it.each([500, 503, 408, 429, 'network'] as const)(
    'keeps the order and everything behind it on %s, and stops',
    async (failure) => {
      let failing = true;
      const server = backend(() => (failing ? failure : 201));
      const sync = orderSync(server.fetch);
      await enqueueAll(sync, [1, 2, 3]);

      expect(await sync.replay()).toEqual({
        replayed: 0,
        remaining: 3,
        rejected: 0,
        stopped: true,
      });
      expect(server.sent.map((s) => s.orderId)).toEqual(['order-1']);
      expect((await sync.status()).pending.map((o) => o.orderId)).toEqual([
        'order-1',
        'order-2',
        'order-3',
      ]);

      failing = false;
      expect(await sync.replay()).toMatchObject({ replayed: 3, remaining: 0 });
      expect(server.sent.map((s) => s.orderId)).toEqual([
        'order-1',
        'order-1',
        'order-2',
        'order-3',
      ]);
    },
  );

  it('moves a refused order to the rejected list with the answer, and delivers the rest', async () => {
    const server = backend((sent) => (sent.orderId === 'order-2' ? 422 : 201));
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1, 2, 3]);

    expect(await sync.replay()).toEqual({ replayed: 2, remaining: 0, rejected: 1, stopped: false });
    const { pending, rejected } = await sync.status();
    expect(pending).toEqual([]);
    expect(rejected).toEqual([
      expect.objectContaining({
        orderId: 'order-2',
        idempotencyKey: 'order-2',
        reason: 'rejected',
        status: 422,
        response: JSON.stringify({ status: 422 }),
        rejectedAt: clock,
      }),
    ]);
    expect(JSON.parse(rejected[0]?.body ?? '')).toEqual({
      order_id: 'order-2',
      order_number: 'OFF-2',
    });

    await sync.dismissRejected([rejected[0]?.id ?? -1]);
    expect((await sync.status()).rejected).toEqual([]);
  });

  it('sends an order older than the retention once more and delivers it when the backend takes it', async () => {
    const server = backend();
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);
    clock += 25 * HOUR;
    await enqueueAll(sync, [2]);

    expect(await sync.replay()).toMatchObject({ replayed: 2, rejected: 0, remaining: 0 });
    // With its original key: a backend that booked it before answers its first answer.
    expect(server.sent).toEqual([
      { key: 'order-1', orderId: 'order-1' },
      { key: 'order-2', orderId: 'order-2' },
    ]);
    expect(await sync.status()).toEqual({ pending: [], rejected: [] });
  });

  it.each([503, 'network'] as const)(
    'moves an order older than the retention to the rejected list as expired when its last attempt gets %s, and goes on',
    async (failure) => {
      const server = backend((sent) => (sent.orderId === 'order-1' ? failure : 201));
      const sync = orderSync(server.fetch);
      await enqueueAll(sync, [1]);
      clock += 25 * HOUR;
      await enqueueAll(sync, [2]);

      expect(await sync.replay()).toMatchObject({
        replayed: 1,
        rejected: 1,
        remaining: 0,
        stopped: false,
      });
      expect(server.sent.map((s) => s.orderId)).toEqual(['order-1', 'order-2']);
      expect((await sync.status()).rejected).toEqual([
        expect.objectContaining({
          orderId: 'order-1',
          reason: 'expired',
          status: failure === 'network' ? 0 : 503,
          rejectedAt: clock,
        }),
      ]);
    },
  );

  it('keeps an order older than the retention that the backend refuses as rejected, with its answer', async () => {
    const server = backend(() => 422);
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);
    clock += 25 * HOUR;

    expect(await sync.replay()).toMatchObject({ replayed: 0, rejected: 1, remaining: 0 });
    expect((await sync.status()).rejected).toEqual([
      expect.objectContaining({ orderId: 'order-1', reason: 'rejected', status: 422 }),
    ]);
  });

  it('leaves the order first in line when the worker dies mid-request; the next worker sends it again with the same key', async () => {
    const first = backend(() => 'hang');
    const dying = orderSync(first.fetch);
    await enqueueAll(dying, [1, 2]);
    void dying.replay();
    await first.hanging;
    expect(first.sent).toHaveLength(1);

    // A new worker on the same database while the old request is still open.
    const second = backend();
    const next = orderSync(second.fetch);
    expect((await next.status()).pending.map((o) => o.orderId)).toEqual(['order-1', 'order-2']);
    expect(await next.replay()).toMatchObject({ replayed: 2, remaining: 0 });
    expect(second.sent).toEqual([
      { key: 'order-1', orderId: 'order-1' },
      { key: 'order-2', orderId: 'order-2' },
    ]);
  });

  it('abandons an attempt that hangs past timeoutMs and keeps the order', async () => {
    const server = backend((_, index) => (index === 0 ? 'hang' : 201));
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);

    const replay = sync.replay();
    await server.hanging;
    timers.advance(TIMEOUT_MS);
    expect(await replay).toMatchObject({ replayed: 0, remaining: 1, stopped: true });
    expect(await sync.replay()).toMatchObject({ replayed: 1, remaining: 0 });
  });

  it('keeps a key the page set and makes one up, once, for a body without order_id', async () => {
    const server = backend(() => 'network');
    const sync = orderSync(server.fetch);
    await sync.enqueue(orderRequest(1, { 'Idempotency-Key': 'group-7' }));
    await sync.enqueue(
      new Request(URL_ORDERS, { method: 'POST', body: JSON.stringify({ items: [] }) }),
    );
    const { pending } = await sync.status();
    expect(pending.map((o) => o.idempotencyKey)).toEqual(['group-7', 'generated-key']);
  });
});

describe('OrderSync resends expired orders by itself once central is back', () => {
  it('resends an expired order once, with its key, after a later replay delivers; never a refused one', async () => {
    let centralUp = false;
    const server = backend((sent) => {
      if (sent.orderId === 'order-2') return 422;
      return centralUp ? 201 : 503;
    });
    const sync = orderSync(server.fetch);
    // A weekend outage: orders 1 and 2 wait past the retention; 1 is set aside as expired on
    // its last attempt, 2 is refused as rejected.
    await enqueueAll(sync, [1, 2]);
    clock += 25 * HOUR;
    await enqueueAll(sync, [3]);
    expect(await sync.replay()).toMatchObject({ replayed: 0, rejected: 2, stopped: true });
    expect((await sync.status()).rejected.map((o) => [o.orderId, o.reason])).toEqual([
      ['order-1', 'expired'],
      ['order-2', 'rejected'],
    ]);

    centralUp = true;
    clock += HOUR;
    const sentBefore = server.sent.length;
    expect(await sync.replay()).toMatchObject({ replayed: 2, remaining: 0, stopped: false });
    expect(server.sent.slice(sentBefore)).toEqual([
      { key: 'order-3', orderId: 'order-3' },
      { key: 'order-1', orderId: 'order-1' },
    ]);
    expect((await sync.status()).rejected.map((o) => [o.orderId, o.reason])).toEqual([
      ['order-2', 'rejected'],
    ]);

    // Later runs that deliver send neither again.
    await enqueueAll(sync, [4]);
    await sync.replay();
    expect(server.sent.slice(sentBefore).map((s) => s.orderId)).toEqual([
      'order-3',
      'order-1',
      'order-4',
    ]);
  });

  it('keeps an expired order listed when its resend fails, and does not resend it by itself again', async () => {
    let answerOrder1: number | 'network' = 503;
    const server = backend((sent) => (sent.orderId === 'order-1' ? answerOrder1 : 201));
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);
    clock += 25 * HOUR;
    await sync.replay();

    answerOrder1 = 'network';
    await enqueueAll(sync, [2]);
    expect(await sync.replay()).toMatchObject({ replayed: 1, stopped: false });
    await enqueueAll(sync, [3]);
    await sync.replay();

    expect(server.sent.map((s) => s.orderId)).toEqual(['order-1', 'order-2', 'order-1', 'order-3']);
    expect((await sync.status()).rejected).toEqual([
      expect.objectContaining({ orderId: 'order-1', reason: 'expired', status: 503 }),
    ]);
  });
});

describe('OrderSync resends expired orders when nothing else is queued', () => {
  it('asks central with the first expired order on a run with an empty queue, and counts no failure while central is away', async () => {
    let answer: number | 'network' = 503;
    const server = backend(() => answer);
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1, 2]);
    clock += 25 * HOUR;
    expect(await sync.replay()).toMatchObject({ replayed: 0, rejected: 2, remaining: 0 });

    // Central still away: the probe fails, nothing else is tried, and nothing is marked.
    answer = 'network';
    expect(await sync.replay()).toMatchObject({ replayed: 0, stopped: false });
    expect(server.sent.map((s) => s.orderId)).toEqual(['order-1', 'order-2', 'order-1']);

    // Central back, still nothing queued (a kiosk between guests): both go out, in order.
    answer = 201;
    expect(await sync.replay()).toMatchObject({ replayed: 2, remaining: 0 });
    expect(server.sent.map((s) => s.orderId).slice(3)).toEqual(['order-1', 'order-2']);
    expect((await sync.status()).rejected).toEqual([]);
  });

  it('marks an expired order resent once central has answered in the same run', async () => {
    const server = backend((sent, index) =>
      sent.orderId === 'order-2' ? 'network' : index < 2 ? 503 : 201,
    );
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1, 2]);
    clock += 25 * HOUR;
    await sync.replay();

    // order-1 goes through, so central is back; order-2's failure is its one resend.
    await sync.replay();
    await sync.replay();
    expect(server.sent.map((s) => s.orderId)).toEqual(['order-1', 'order-2', 'order-1', 'order-2']);
    expect((await sync.status()).rejected).toEqual([
      expect.objectContaining({ orderId: 'order-2', reason: 'expired' }),
    ]);
  });
});

describe('OrderSync.retryRejected (the staff resends a rejected order)', () => {
  async function rejectedAfter(failure: number | 'network') {
    let answer: number | 'network' = failure;
    const server = backend(() => answer);
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);
    clock += 25 * HOUR;
    await sync.replay();
    const [entry] = (await sync.status()).rejected;
    if (!entry) throw new Error('expected a rejected order');
    return {
      server,
      sync,
      id: entry.id,
      answer: (next: number | 'network') => {
        answer = next;
      },
    };
  }

  it('delivers a rejected order once, with its original key, even when asked twice at once', async () => {
    const { server, sync, id, answer } = await rejectedAfter('network');
    answer(201);

    const results = await Promise.all([sync.retryRejected(id), sync.retryRejected(id)]);

    expect(results).toEqual([
      { outcome: 'delivered', status: 201 },
      { outcome: 'not_found', status: 0 },
    ]);
    expect(server.sent).toEqual([
      { key: 'order-1', orderId: 'order-1' },
      { key: 'order-1', orderId: 'order-1' },
    ]);
    expect(await sync.status()).toEqual({ pending: [], rejected: [] });
  });

  it('keeps the order listed when the retry fails, and updates the reason when it is refused', async () => {
    const { sync, id, answer } = await rejectedAfter(503);

    answer('network');
    expect(await sync.retryRejected(id)).toEqual({ outcome: 'retry', status: 0 });
    expect((await sync.status()).rejected).toEqual([
      expect.objectContaining({ id, reason: 'expired', status: 503 }),
    ]);

    answer(409);
    expect(await sync.retryRejected(id)).toEqual({ outcome: 'rejected', status: 409 });
    expect((await sync.status()).rejected).toEqual([
      expect.objectContaining({ id, reason: 'rejected', status: 409 }),
    ]);
  });

  it('never sends a pending order or an unknown id', async () => {
    const server = backend(() => 'network');
    const sync = orderSync(server.fetch);
    await enqueueAll(sync, [1]);
    const [pending] = (await sync.status()).pending;

    expect(await sync.retryRejected(pending?.id ?? -1)).toEqual({
      outcome: 'not_found',
      status: 0,
    });
    expect(await sync.retryRejected(999)).toEqual({ outcome: 'not_found', status: 0 });
    expect(server.sent).toEqual([]);
  });
});

describe('OrderSync.submit (the page’s POST)', () => {
  it("answers with the backend's own response when the order went through", async () => {
    const sync = orderSync(backend().fetch);
    const response = await sync.submit(orderRequest(1));
    expect(response.status).toBe(201);
    expect((await sync.status()).pending).toEqual([]);
  });

  it('answers 202 queued when the order has to wait, and keeps it', async () => {
    const sync = orderSync(backend(() => 'network').fetch);
    const response = await sync.submit(orderRequest(1));
    expect(response.status).toBe(202);
    expect(response.headers.get('X-Kitchen-Sync-Queued')).toBe('1');
    expect(await response.json()).toEqual({
      queued: true,
      order_id: 'order-1',
      idempotency_key: 'order-1',
    });
    expect((await sync.status()).pending.map((o) => o.orderId)).toEqual(['order-1']);
  });

  it('answers 202 queued after answerWithinMs when the backend hangs, and keeps sending in the background', async () => {
    const server = backend((_, index) => (index === 0 ? 'hang' : 201));
    const sync = orderSync(server.fetch);
    const background: Promise<unknown>[] = [];
    const submitted = sync.submit(orderRequest(1), (work) => background.push(work));
    await server.hanging;
    timers.advance(ANSWER_WITHIN_MS);
    const response = await submitted;
    expect(response.status).toBe(202);
    expect(server.sent).toHaveLength(1);
    expect(timers.delays()).toEqual([TIMEOUT_MS - ANSWER_WITHIN_MS]); // still sending
    expect(background).toHaveLength(1);
    timers.advance(TIMEOUT_MS - ANSWER_WITHIN_MS);
    await Promise.all(background);
    expect((await sync.status()).pending.map((o) => o.orderId)).toEqual(['order-1']);
  });

  it("answers with the backend's refusal and lists the order as rejected", async () => {
    const sync = orderSync(backend(() => 400).fetch);
    expect((await sync.submit(orderRequest(1))).status).toBe(400);
    expect((await sync.status()).rejected.map((o) => o.orderId)).toEqual(['order-1']);
  });
});

describe("OrderQueueDb on Workbox's database", () => {
  it("sees entries Workbox's QueueStore wrote, and Workbox sees ours, in one order", async () => {
    const workbox = new QueueStore('order-sync-queue');
    const ours = new OrderQueueDb('order-sync-queue');
    const stored = await StorableRequest.fromRequest(orderRequest(1));
    await workbox.pushEntry({ requestData: stored.toObject(), timestamp: clock });
    const data = (await StorableRequest.fromRequest(orderRequest(2))).toObject();
    await ours.push(data as never, clock, { idempotencyKey: 'order-2', orderId: 'order-2' });

    expect((await ours.pending()).map((e) => e.requestData.url)).toEqual([URL_ORDERS, URL_ORDERS]);
    const fromWorkbox = await workbox.getAll();
    expect(fromWorkbox.map((e) => e.metadata)).toEqual([
      undefined,
      { idempotencyKey: 'order-2', orderId: 'order-2' },
    ]);

    const first = await ours.first();
    expect(first?.id).toBe(fromWorkbox[0]?.id);
    await ours.reject(first as NonNullable<typeof first>, { reason: 'rejected', status: 400 });
    // Rejected entries sit under their own queue name: invisible to Workbox's queue.
    expect(await workbox.size()).toBe(1);
    expect(await ours.counts()).toEqual({ pending: 1, rejected: 1 });
  });
});
