import 'fake-indexeddb/auto';
import type { EventEnvelope, Id, Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFeedDb } from '../../../src/feed/feedDb.js';
import { createKitchenFeed, type KitchenFeed } from '../../../src/feed/kitchenFeed.js';
import type { FeedRecord } from '../../../src/feed/types.js';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import { newOrderEvent } from '../fakes/events.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder, makeState } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

// A kitchen tablet moved to another tenant or outlet, on the database it already had (the
// library's default name, or one named per device as the recipe does).
const EPOCH = 'epoch-a';
const DB = 'kitchen-sync-feed';

let idb: IDBFactory;
let timers: ManualTimers;
let stoppers: Array<{ stop(): void }>;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  stoppers = [];
});

afterEach(() => {
  for (const s of stoppers) s.stop();
});

interface Screen {
  feed: KitchenFeed;
  socket: FakeSocket;
}

/** A page load: a fresh socket, the same database. */
async function open(
  tenants: Id[] | undefined,
  outletId?: Id,
  outbox?: OrderOutbox,
): Promise<Screen> {
  const socket = new FakeSocket();
  const feed = createKitchenFeed({
    indexedDB: idb,
    timers,
    now: timers.now,
    socket,
    outbox,
    tenants,
    outletId,
    playSound: () => {},
    notify: () => {},
  });
  stoppers.push(feed);
  await feed.ready;
  return { feed, socket };
}

function openOutbox(socket: FakeSocket): OrderOutbox {
  const outbox = createOrderOutbox({
    indexedDB: idb,
    timers,
    now: timers.now,
    socket,
    locks: null,
    channel: null,
    backoff: { jitter: 0 },
  });
  stoppers.push(outbox);
  return outbox;
}

/** What IndexedDB holds, read as another page would. */
async function stored(): Promise<{ ids: string[]; cursor: unknown; centralSeq: unknown }> {
  const db = await openFeedDb(idb, DB);
  const [records, cursor, centralSeq] = await Promise.all([
    db.getAll('orders'),
    db.get('meta', 'cursor'),
    db.get('meta', 'central_seq'),
  ]);
  db.close();
  return { ids: records.map((r) => r.order_id).sort(), cursor, centralSeq };
}

const ids = (screen: Screen) => screen.feed.orders.get().map((o) => o.order_id);
const sorted = (...orders: Order[]) => orders.map((o) => o.order_id).sort();

/** Tenant 1's kitchen, run until it stored two open orders and the cursor past them. */
async function runTenantOne(outletId?: Id): Promise<Order[]> {
  const screen = await open([1], outletId);
  const orders = [
    makeOrder({ tenant_id: 1, customer_name: 'Guest One' }),
    makeOrder({ tenant_id: 1 }),
  ];
  screen.socket.emitSnapshot({ orders: orders.map((o) => makeState(o)), seq: 40, epoch: EPOCH });
  screen.socket.emitCentralCaughtUp(12);
  await screen.feed.flush();
  screen.feed.stop();
  expect((await stored()).ids).toEqual(sorted(...orders));
  return orders;
}

describe('a kitchen moved to another tenant', () => {
  it("deletes the old tenant's orders, asks the relay for a snapshot and shows the new tenant's", async () => {
    await runTenantOne();

    const moved = await open([2]);
    expect(ids(moved)).toEqual([]);
    expect(await stored()).toEqual({ ids: [], cursor: undefined, centralSeq: undefined });
    // No cursor: the relay answers with its open orders for the new token, not a backlog after 40.
    expect(moved.socket.cursorSource?.get()).toEqual({ since: 0, epoch: null });
    expect(moved.socket.centralCursorSource?.get()).toBeNull();

    const open2 = makeOrder({ tenant_id: 2 });
    const web2 = makeOrder({ tenant_id: 2, source: 'web' });
    moved.socket.emitSnapshot({
      orders: [makeState(open2), makeState(web2)],
      seq: 41,
      epoch: EPOCH,
    });
    await moved.feed.flush();
    expect(ids(moved).sort()).toEqual(sorted(open2, web2));
    moved.feed.stop();

    // Reopened in the same scope (its ids spelt otherwise): nothing is reset again.
    const reloaded = await open(['2']);
    expect(ids(reloaded).sort()).toEqual(sorted(open2, web2));
    expect(reloaded.socket.cursorSource?.get()).toEqual({ since: 41, epoch: EPOCH });
  });

  it('keeps the orders still in scope, one only central brought and acknowledged too', async () => {
    const socket = new FakeSocket();
    socket.setLocal(true);
    const outbox = openOutbox(socket);
    const first = await open([1], undefined, outbox);
    first.feed.connect(socket);
    const kept = makeOrder({ tenant_id: 1 });
    const waiting = makeOrder({ tenant_id: 1 });
    socket.emitSnapshot({ orders: [makeState(kept)], seq: 40, epoch: EPOCH });
    // Central brings an order the relay does not have yet; the cook acknowledges it.
    const fromCentral: EventEnvelope = {
      ...newOrderEvent(waiting, 0),
      seq: null,
      event_id: crypto.randomUUID(),
      data: waiting,
    };
    socket.emitEvent(fromCentral, 'central', 1);
    await first.feed.flush();
    await first.feed.acknowledge(waiting.order_id);
    first.feed.stop();

    // Now serving tenants 1 and 2: tenant 1's orders stay, the relay's snapshot adds tenant 2's.
    const widened = await open([1, 2], undefined, outbox);
    widened.feed.connect(socket);
    expect(ids(widened).sort()).toEqual(sorted(kept, waiting));
    const other = makeOrder({ tenant_id: 2 });
    socket.emitSnapshot({ orders: [makeState(kept), makeState(other)], seq: 43, epoch: EPOCH });
    await widened.feed.flush();
    expect(ids(widened).sort()).toEqual(sorted(kept, waiting, other));

    // The relay gets the POS's copy: the acknowledgement that waited for it goes now.
    socket.emitEvent(newOrderEvent(waiting, 44));
    await widened.feed.flush();
    await until(outbox.pending, (list) => list.length === 0);
    await outbox.flush();
    const acks = socket.requests.filter((r) => r.type === 'order:ack');
    expect(acks.map((r) => (r.payload as { order_id: string }).order_id)).toEqual([
      waiting.order_id,
    ]);
  });

  it('a tab still open for the old tenant no longer writes to the database the new one took', async () => {
    const old = await open([1]);
    old.socket.emitSnapshot({ orders: [], seq: 40, epoch: EPOCH });
    await old.feed.flush();
    const moved = await open([2]);

    old.socket.emitEvent(newOrderEvent(makeOrder({ tenant_id: 1 }), 41));
    await old.feed.flush();
    expect(await stored()).toEqual({ ids: [], cursor: undefined, centralSeq: undefined });
    expect(ids(moved)).toEqual([]);
  });

  it('never shows a stored order of a tenant it does not serve, whoever stored it', async () => {
    const screen = await open([2]);
    screen.feed.stop();
    const db = await openFeedDb(idb, DB);
    const order = makeOrder({ tenant_id: 1 });
    const record: FeedRecord = {
      order_id: order.order_id,
      order: makeState(order),
      seq: 1,
      created_ms: 0,
      finished_at: null,
    };
    await db.put('orders', record);
    db.close();

    expect(ids(await open([2]))).toEqual([]);
  });
});

describe('a kitchen moved to another outlet', () => {
  it("deletes every order of the old outlet and resumes from nothing of the old relay's log", async () => {
    await runTenantOne(1);

    const moved = await open([1], 2);
    expect(ids(moved)).toEqual([]);
    expect(await stored()).toEqual({ ids: [], cursor: undefined, centralSeq: undefined });
  });
});

describe('a database from a version that did not record its scope', () => {
  it("keeps its tenant's orders and asks for a snapshot once", async () => {
    const screen = await open([1]);
    const mine = makeOrder({ tenant_id: 1 });
    const other = makeOrder({ tenant_id: 3 });
    screen.socket.emitSnapshot({ orders: [makeState(mine)], seq: 40, epoch: EPOCH });
    await screen.feed.flush();
    screen.feed.stop();
    // As an earlier version left it: another tenant's order, no scope.
    const db = await openFeedDb(idb, DB);
    await db.put('orders', {
      order_id: other.order_id,
      order: makeState(other),
      seq: 2,
      created_ms: 0,
      finished_at: null,
    });
    await db.delete('meta', 'scope');
    db.close();

    const upgraded = await open([1]);
    expect(ids(upgraded)).toEqual([mine.order_id]);
    expect(await stored()).toEqual({
      ids: [mine.order_id],
      cursor: undefined,
      centralSeq: undefined,
    });
  });
});
