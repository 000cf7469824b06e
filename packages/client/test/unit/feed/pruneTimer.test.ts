import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKitchenFeed, type KitchenFeedOptions } from '../../../src/feed/kitchenFeed.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';

const EPOCH = 'epoch-a';
const MINUTE = 60_000;
// A browser that refuses storage (private mode): the feed runs in memory.
const BLOCKED = {
  open: () => {
    throw new DOMException('blocked', 'InvalidStateError');
  },
} as unknown as IDBFactory;

let idb: IDBFactory;
let timers: ManualTimers;
let stoppers: Array<{ stop(): void }>;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  timers.time = Date.UTC(2026, 0, 1, 12);
  stoppers = [];
});

afterEach(() => {
  for (const s of stoppers) s.stop();
});

function openFeed(options: KitchenFeedOptions = {}) {
  const feed = createKitchenFeed({
    indexedDB: idb,
    timers,
    now: timers.now,
    playSound: () => {},
    notify: () => {},
    ...options,
  });
  stoppers.push(feed);
  return feed;
}

// A server render creates a feed per request that no order ever reaches: a timer started at
// construction kept each one (and the Node process) alive for good.
describe('KitchenFeed pruning', () => {
  it('holds no timer while it has no order, with storage or without', async () => {
    const stored = openFeed({ socket: new FakeSocket() });
    await stored.ready;
    const memoryOnly = openFeed({ indexedDB: BLOCKED, socket: new FakeSocket() });
    expect(await memoryOnly.ready.catch((error: { code?: string }) => error.code)).toBe('storage');
    await memoryOnly.flush();

    expect(timers.delays()).toEqual([]);
  });

  it('starts with the first order and stops with the feed', async () => {
    const socket = new FakeSocket();
    const feed = openFeed({ socket });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(makeOrder(), 1));
    await feed.flush();
    expect(timers.delays()).toEqual([MINUTE]);

    feed.stop();
    expect(timers.delays()).toEqual([]);
  });

  it('prunes finished orders loaded from storage with no event arriving', async () => {
    const socket = new FakeSocket();
    const first = openFeed({ socket, keepFinishedMs: 5 * MINUTE });
    await first.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(statusEvent(order, 2, 'completed', 2));
    await first.flush();
    first.stop();

    const reopened = openFeed({ socket: new FakeSocket(), keepFinishedMs: 5 * MINUTE });
    await reopened.ready;
    expect(reopened.orders.get().map((o) => o.status)).toEqual(['completed']);
    timers.advance(5 * MINUTE);
    await reopened.flush();
    expect(reopened.orders.get()).toEqual([]);
  });
});
