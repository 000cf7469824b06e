import 'fake-indexeddb/auto';
import { boardEnvelope, boardOrder, type OrderState } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../../src/feed/kitchenFeed.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder, makeState } from '../fakes/orders.js';

// A pickup board's token (role `board`) brings orders without lines or guest data: the feed
// must show them and keep them current, as it does whole ones.
const EPOCH = 'epoch-a';

let idb: IDBFactory;
let timers: ManualTimers;
let socket: FakeSocket;
let feed: KitchenFeed | undefined;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  socket = new FakeSocket();
});
afterEach(() => feed?.stop());

async function openFeed(): Promise<KitchenFeed> {
  feed = createKitchenFeed({
    indexedDB: idb,
    timers,
    now: timers.now,
    socket,
    playSound: () => {},
    notify: () => {},
  });
  await feed.ready;
  return feed;
}

const statuses = (f: KitchenFeed) => f.orders.get().map((o) => [o.order_number, o.status]);

describe('a feed of board orders', () => {
  it('shows a snapshot and events of orders without lines, and moves them on', async () => {
    const f = await openFeed();
    const first = makeOrder({ order_number: 'A1' });
    const second = makeOrder({ order_number: 'A2' });
    socket.emitSnapshot({
      orders: [boardOrder(makeState(first)) as OrderState],
      seq: 1,
      epoch: EPOCH,
    });
    socket.emitEvent(boardEnvelope(newOrderEvent(second, 2)));
    const ready = boardEnvelope(statusEvent(first, 3, 'ready', 2));
    socket.emitEvent(ready);
    socket.emitCaughtUp({ seq: 3, epoch: EPOCH });
    await f.flush();
    expect(statuses(f).sort()).toEqual([
      ['A1', 'ready'],
      ['A2', 'pending'],
    ]);
    expect(f.orders.get().every((o) => o.items === undefined)).toBe(true);
    expect(f.cursor.get()).toEqual({ since: 3, epoch: EPOCH, since_event: ready.event_id });
  });

  it("keeps a kitchen's lines when data without them comes for an order it holds", async () => {
    const f = await openFeed();
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(boardEnvelope(statusEvent(order, 2, 'preparing', 2)));
    await f.flush();
    expect(f.orders.get()[0]).toMatchObject({ status: 'preparing', items: order.items });
  });
});
