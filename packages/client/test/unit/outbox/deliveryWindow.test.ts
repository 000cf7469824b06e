import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KitchenSyncError } from '../../../src/errors.js';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { FakeSocket, type RecordedRequest } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

let timers: ManualTimers;
let socket: FakeSocket;
let outbox: OrderOutbox;

beforeEach(() => {
  timers = new ManualTimers();
  socket = new FakeSocket();
  socket.setLocal(true);
  outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    timers,
    now: timers.now,
    random: () => 0.5,
    backoff: { min: 1_000, jitter: 0 },
    locks: null,
    channel: null,
    socket,
  });
});

afterEach(() => outbox.stop());

const OK: RequestAck = { ok: true, seq: 1, duplicate: false };
const orderOf = (request: RecordedRequest) => (request.payload as { order_id: string }).order_id;
const idsOf = (list: Array<{ order_id: string }>) => list.map((e) => e.order_id);

/** Lets IndexedDB and the promise chains run (fake-indexeddb answers on real macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A relay whose answers wait until the test gives them, in any order. */
function slowRelay(): Array<{ request: RecordedRequest; answer: (ack: RequestAck) => void }> {
  const waiting: Array<{ request: RecordedRequest; answer: (ack: RequestAck) => void }> = [];
  socket.handler = (request) =>
    new Promise((answer) => {
      waiting.push({ request, answer });
    });
  return waiting;
}

describe('OrderOutbox delivery window', () => {
  it('sends the acks of 8 different orders before the first answer comes, and no more', async () => {
    const waiting = slowRelay();
    const orders = Array.from({ length: 11 }, () => crypto.randomUUID());
    for (const order_id of orders) await outbox.enqueue('order:ack', { order_id });
    await settle();

    // Nothing answered yet: the window is full, in submission order.
    expect(idsOf(socket.requests.map((r) => ({ order_id: orderOf(r) })))).toEqual(
      orders.slice(0, 8),
    );
    waiting[2]?.answer(OK);
    await settle();
    // One answer frees one place; the next in line takes it.
    expect(socket.requests.map(orderOf)).toEqual(orders.slice(0, 9));
    expect(idsOf(outbox.pending.get())).toEqual(orders.filter((_, i) => i !== 2));

    for (let i = 0; i < 11; i++) {
      for (const { answer } of waiting) answer(OK);
      await settle();
    }
    expect(socket.requests.map(orderOf)).toEqual(orders);
    expect(outbox.pending.get()).toEqual([]);
  });

  it("sends an order's commands one at a time and in order, a failed one retried first", async () => {
    const order = makeOrder();
    const other = makeOrder();
    const line = `${order.order_id}:0`;
    let inFlight = 0;
    let overlapped = false;
    let bumpFailures = 1;
    socket.handler = async (request) => {
      const mine = orderOf(request) === order.order_id;
      if (mine && inFlight++ > 0) overlapped = true;
      // Answered a few macrotasks later, so the next entry would have time to go.
      await settle();
      if (mine) inFlight--;
      if (request.type === 'order:item_update' && bumpFailures-- > 0) {
        return { ok: false, error: { code: 'internal', message: 'boom' } };
      }
      return OK;
    };

    await outbox.submit(order);
    await outbox.enqueue('order:item_update', {
      order_id: order.order_id,
      line_id: line,
      status: 'ready',
      version: 1,
    });
    await outbox.enqueue('order:recall', { order_id: order.order_id, line_id: line });
    await outbox.submit(other);
    await until(outbox.pending, (list) => list.length === 2 && list[0]?.attempts === 1);
    // The bump failed; its order's recall waits behind it; the other order went.
    expect(outbox.pending.get().map((e) => e.type)).toEqual(['order:item_update', 'order:recall']);
    timers.advance(1_000);
    await until(outbox.pending, (list) => list.length === 0);

    const mine = socket.requests.filter((r) => orderOf(r) === order.order_id);
    expect(mine.map((r) => r.type)).toEqual([
      'order:publish',
      'order:item_update',
      'order:item_update',
      'order:recall',
    ]);
    // The retry is the same command (same event_id), not a new one.
    const [, bump, again] = mine.map((r) => (r.payload as { event_id?: string }).event_id);
    expect(again).toBe(bump);
    expect(overlapped).toBe(false);
    expect(socket.requests.map(orderOf)).toContain(other.order_id);
  });

  it('a dropped link puts the entries in flight back in line: they go again in order, same ids', async () => {
    const drops: Array<() => void> = [];
    socket.handler = () =>
      new Promise((_, reject) => {
        drops.push(() => reject(new KitchenSyncError('network', 'socket dropped')));
      });
    const orders = Array.from({ length: 3 }, () => crypto.randomUUID());
    for (const order_id of orders) await outbox.enqueue('order:ack', { order_id });
    await settle();
    expect(socket.requests.map(orderOf)).toEqual(orders);

    socket.setLocal(false);
    for (const drop of drops.reverse()) drop();
    await until(outbox.pending, (list) => list.every((e) => e.attempts === 1));
    socket.handler = () => OK;
    socket.setLocal(true);
    await until(outbox.pending, (list) => list.length === 0);

    const [first, again] = [socket.requests.slice(0, 3), socket.requests.slice(3)];
    expect(again.map(orderOf)).toEqual(orders);
    expect(again.map((r) => r.payload)).toEqual(first.map((r) => r.payload));
  });

  it('settling an entry costs the same with 40 or 400 waiting behind it', async () => {
    /** Array elements that `filter` walks while `count` delivered entries settle. */
    async function filterWorkPerEntry(backlog: number): Promise<number> {
      const local = createOrderOutbox({
        indexedDB: new IDBFactory(),
        timers,
        now: timers.now,
        locks: null,
        channel: null,
        socket,
      });
      socket.setLocal(false);
      for (let i = 0; i < backlog; i++) {
        await local.enqueue('order:ack', { order_id: crypto.randomUUID() });
      }
      let walked = 0;
      const filter = Array.prototype.filter;
      vi.spyOn(Array.prototype, 'filter').mockImplementation(function (
        this: unknown[],
        ...args: Parameters<typeof filter>
      ) {
        walked += this.length;
        return filter.apply(this, args);
      });
      // The socket answers the first 20 and then goes away: 20 settle with the backlog behind.
      let answered = 0;
      socket.handler = () => {
        if (++answered === 20) socket.setLocal(false);
        return OK;
      };
      socket.setLocal(true);
      await local.flush();
      await until(local.pending, (list) => list.length <= backlog - 20);
      vi.restoreAllMocks();
      local.stop();
      return walked / 20;
    }

    const small = await filterWorkPerEntry(40);
    const large = await filterWorkPerEntry(400);
    expect(large).toBeLessThanOrEqual(small + 10);
  });
});
