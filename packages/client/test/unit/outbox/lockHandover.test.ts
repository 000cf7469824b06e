import 'fake-indexeddb/auto';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { type FakeChannel, FakeChannels } from '../fakes/fakeChannels.js';
import { FakeLocks } from '../fakes/fakeLocks.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

// The default steal time is 10 s: the holder says it is alive every 2.5 s, and a waiting tab
// takes the lock once four whole ticks of its own (2.5 s each) passed without hearing it.
const TICK = 2_500;

interface Tab {
  outbox: OrderOutbox;
  socket: FakeSocket;
  channel: FakeChannel;
}

let idb: IDBFactory;
let clock: ManualTimers;
let channels: FakeChannels;
let locks: FakeLocks;
let tabs: Tab[];

beforeEach(() => {
  idb = new IDBFactory();
  clock = new ManualTimers();
  channels = new FakeChannels();
  locks = new FakeLocks();
  tabs = [];
});

afterEach(() => {
  for (const tab of tabs) tab.outbox.stop();
});

/**
 * A tab of the app on the shared database, lock and channel. `timers`: its own, for a tab the
 * test hangs (they run only when the test moves them); the wall clock is the same for all.
 */
function openTab(timers: ManualTimers = clock): Tab {
  const socket = new FakeSocket();
  socket.setLocal(true);
  const channel = channels.open();
  const outbox = createOrderOutbox({
    indexedDB: idb,
    dbName: 'outbox-tabs',
    timers,
    now: clock.now,
    random: () => 0.5,
    backoff: { min: 1_000, max: 30_000, factor: 2, jitter: 0 },
    locks,
    channel,
    socket,
  });
  const tab = { outbox, socket, channel };
  tabs.push(tab);
  return tab;
}

/** Lets IndexedDB and the promise chains run (fake-indexeddb answers on real macrotasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

/** Moves time on by `count` ticks; each set of timers runs its own (the first ones first). */
async function ticks(count: number, ...timers: ManualTimers[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (const t of timers) t.advance(TICK);
    await settle();
  }
}

/** Lets everything run until `condition` holds; fails after a bounded number of rounds. */
async function settleUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await settle();
  expect(condition()).toBe(true);
}

function deferred(): { promise: Promise<RequestAck>; resolve: (ack: RequestAck) => void } {
  let resolve!: (ack: RequestAck) => void;
  const promise = new Promise<RequestAck>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const sent = (tab: Tab) =>
  tab.socket.requests.map((r) => `${r.type} ${(r.payload as Order).order_id}`);

/** Tab A holds the lock (its timers its own, so the test can hang it), tab B waits. */
async function holderAndWaiter(): Promise<{ a: Tab; b: Tab; aTimers: ManualTimers }> {
  const aTimers = new ManualTimers();
  const a = openTab(aTimers);
  await until(a.outbox.status, (s) => s.delivering);
  const b = openTab();
  await b.outbox.ready;
  await settle();
  expect(b.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });
  return { a, b, aTimers };
}

describe('OrderOutbox lock hand-over from a hung tab', () => {
  it('a waiting tab takes the lock from a tab that stopped saying it is alive, and delivers', async () => {
    const { a, b, aTimers } = await holderAndWaiter();
    // Both run: the holder says it is alive, the waiting tab leaves it the lock.
    await ticks(8, aTimers, clock);
    expect(b.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });

    // A's main thread hangs: its timers and messages wait. B's order waits in the shared queue.
    a.channel.hang();
    const order = makeOrder();
    await b.outbox.submit(order);
    await ticks(3, clock);
    expect(b.outbox.status.get().lock).toBe('waiting');
    expect(sent(b)).toEqual([]);

    await ticks(1, clock);
    expect(b.outbox.status.get()).toEqual({ lock: 'held', delivering: true, tookOver: true });
    await until(b.outbox.pending, (list) => list.length === 0);
    expect(sent(b)).toEqual([`order:publish ${order.order_id}`]);
    expect(sent(a)).toEqual([]);
    expect(a.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });
  });

  it('never takes the lock from a tab that is slow but alive', async () => {
    const { a, b, aTimers } = await holderAndWaiter();
    // The holder's send takes a minute (a slow link), but its main thread runs.
    const answer = deferred();
    a.socket.handler = () => answer.promise;
    const order = makeOrder();
    await b.outbox.submit(order);
    await settleUntil(() => a.socket.requests.length === 1);

    await ticks(24, aTimers, clock);
    expect(b.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });
    expect(sent(b)).toEqual([]);

    answer.resolve({ ok: true, seq: 1, duplicate: false });
    await until(b.outbox.pending, (list) => list.length === 0);
    expect(a.outbox.status.get()).toEqual({ lock: 'held', delivering: true });
  });

  it('the tab stolen from sends nothing more on waking, waits, and queues for the lock again', async () => {
    const { a, b, aTimers } = await holderAndWaiter();
    // A hung tab hears of the steal only once it runs again; here, after its socket's answer.
    const stolen: Array<() => void> = [];
    locks.tellStolen = (reject) => stolen.push(reject);
    const order = makeOrder();
    const aPublish = deferred();
    a.socket.handler = () => aPublish.promise;
    await a.outbox.submit(order);
    await a.outbox.enqueue('order:update', { order_id: order.order_id, status: 'preparing' });
    await settleUntil(() => a.socket.requests.length === 1);
    await ticks(2, aTimers, clock);

    // A hangs with its publish in flight; B takes over, sends it again (the relay answers
    // duplicate) and the update after it, which is in flight when A wakes.
    a.channel.hang();
    const bUpdate = deferred();
    b.socket.handler = (request) =>
      request.type === 'order:update'
        ? bUpdate.promise
        : { ok: true, seq: 1, duplicate: request.type === 'order:publish' };
    await ticks(4, clock);
    expect(b.outbox.status.get()).toMatchObject({ lock: 'held', tookOver: true });
    await settleUntil(() => b.socket.requests.length === 2);

    // A wakes: its answer comes in first, then its overdue tick and messages, then the news.
    aPublish.resolve({ ok: true, seq: 1, duplicate: false });
    await settle();
    a.channel.wake();
    await ticks(1, aTimers);
    for (const reject of stolen) reject();
    await settle();

    expect(sent(a)).toEqual([`order:publish ${order.order_id}`]);
    expect(a.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });
    bUpdate.resolve({ ok: true, seq: 2, version: 2 } as RequestAck);
    await until(b.outbox.pending, (list) => list.length === 0);
    expect(sent(b)).toEqual([`order:publish ${order.order_id}`, `order:update ${order.order_id}`]);

    // A waits in line again: when B closes, A delivers.
    b.outbox.stop();
    await until(a.outbox.status, (s) => s.delivering);
    expect(a.outbox.status.get()).toEqual({ lock: 'held', delivering: true });
  });

  it('with Web Locks that have no steal, a waiting tab waits for the hung one', async () => {
    locks = new FakeLocks({ steal: false });
    const { a, b } = await holderAndWaiter();
    a.channel.hang();
    const order = makeOrder();
    await b.outbox.submit(order);
    await ticks(20, clock);
    expect(b.outbox.status.get()).toEqual({ lock: 'waiting', delivering: false });
    expect(sent(b)).toEqual([]);

    a.outbox.stop();
    await until(b.outbox.pending, (list) => list.length === 0);
    expect(b.outbox.status.get()).toEqual({ lock: 'held', delivering: true });
    expect(sent(b)).toEqual([`order:publish ${order.order_id}`]);
  });
});
