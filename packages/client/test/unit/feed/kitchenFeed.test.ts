import 'fake-indexeddb/auto';
import type { OrderAck, OrderUpdate } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KitchenSyncError } from '../../../src/errors.js';
import { openFeedDb } from '../../../src/feed/feedDb.js';
import { FeedStore } from '../../../src/feed/feedStore.js';
import {
  createKitchenFeed,
  type KitchenFeed,
  type KitchenFeedOptions,
} from '../../../src/feed/kitchenFeed.js';
import type { KitchenOrder } from '../../../src/feed/types.js';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder, makeState } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

const EPOCH = 'epoch-a';
const MINUTE = 60_000;

let idb: IDBFactory;
let timers: ManualTimers;
let socket: FakeSocket;
let stoppers: Array<{ stop(): void }>;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  socket = new FakeSocket();
  stoppers = [];
});

afterEach(() => {
  for (const s of stoppers) s.stop();
});

function openFeed(options: KitchenFeedOptions = {}): KitchenFeed {
  const feed = createKitchenFeed({
    indexedDB: idb,
    timers,
    now: timers.now,
    socket,
    playSound: () => {},
    notify: () => {},
    ...options,
  });
  stoppers.push(feed);
  return feed;
}

function openOutbox(): OrderOutbox {
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

const ids = (orders: KitchenOrder[]) => orders.map((o) => o.order_id);
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, second)).toISOString();

describe('KitchenFeed orders', () => {
  it('builds the list from snapshot and events, newest first by created_at then seq', async () => {
    const feed = openFeed();
    await feed.ready;
    const old = makeOrder({ created_at: at(1) });
    const sameTimeA = makeOrder({ created_at: at(5) });
    const sameTimeB = makeOrder({ created_at: at(5) });
    const newest = makeOrder({ created_at: at(9) });

    socket.emitSnapshot({ orders: [makeState(old)], seq: 10, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(newest, 11));
    socket.emitEvent(newOrderEvent(sameTimeA, 12));
    const last = newOrderEvent(sameTimeB, 13);
    socket.emitEvent(last);
    socket.emitCaughtUp({ seq: 13, epoch: EPOCH });
    await feed.flush();

    expect(ids(feed.orders.get())).toEqual([
      newest.order_id,
      sameTimeB.order_id,
      sameTimeA.order_id,
      old.order_id,
    ]);
    // With the id of the event applied at 13, which caught_up at 13 does not drop.
    expect(feed.cursor.get()).toEqual({ since: 13, epoch: EPOCH, since_event: last.event_id });
  });

  it("keeps the event_id a snapshot or caught_up names at its seq (another tenant's event) as since_event", async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitSnapshot({ orders: [], seq: 10, epoch: EPOCH, event_id: 'id-at-10' });
    await feed.flush();
    expect(feed.cursor.get()).toEqual({ since: 10, epoch: EPOCH, since_event: 'id-at-10' });
    socket.emitCaughtUp({ seq: 15, epoch: EPOCH, event_id: 'id-at-15' });
    await feed.flush();
    expect(feed.cursor.get()).toEqual({ since: 15, epoch: EPOCH, since_event: 'id-at-15' });
  });

  it('keeps one entry per order across replays and sources', async () => {
    const feed = openFeed();
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const event = newOrderEvent(order, 1);
    socket.emitEvent(event);
    socket.emitEvent(event);
    socket.emitEvent({ ...event, seq: null, event_id: crypto.randomUUID() }, 'central');
    socket.emitEvent({ ...event, seq: 2 }, 'poll');
    await feed.flush();

    expect(ids(feed.orders.get())).toEqual([order.order_id]);
    expect(feed.cursor.get().since).toBe(2);
  });

  it("takes the relay's copy over central's unversioned one, so the relay's later changes apply", async () => {
    const feed = openFeed();
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    // Central brings the order as the POS sent it: no version, no line state.
    socket.emitEvent(
      { ...newOrderEvent(order, 0), seq: null, event_id: crypto.randomUUID(), data: order },
      'central',
    );
    socket.emitEvent(newOrderEvent(order, 1));
    // A change that leaves the status alone (a rush) is newer only by its version.
    socket.emitEvent({
      ...statusEvent(order, 2, 'pending', 2),
      type: 'order_rushed',
      data: { ...order, version: 2, priority: 'rush' },
    });
    await feed.flush();

    expect(feed.orders.get().map((o) => [o.version, o.priority])).toEqual([[2, 'rush']]);
  });

  it('applies a status only when its version is newer than the one held', async () => {
    const feed = openFeed();
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(statusEvent(order, 3, 'ready', 3));
    // An older state arriving late from central (no seq) must not win.
    socket.emitEvent({ ...statusEvent(order, 2, 'preparing', 2), seq: null }, 'central');
    await feed.flush();

    expect(feed.orders.get().map((o) => [o.status, o.version])).toEqual([['ready', 3]]);
  });

  it('shows only the tenants it serves', async () => {
    const feed = openFeed({ tenants: ['3'] });
    await feed.ready;
    const mine = makeOrder({ tenant_id: 3 });
    const other = makeOrder({ tenant_id: 4 });
    socket.emitSnapshot({ orders: [makeState(mine), makeState(other)], seq: 2, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(makeOrder({ tenant_id: 4 }), 3));
    const mineLater = makeOrder({ tenant_id: '3' });
    socket.emitEvent(newOrderEvent(mineLater, 4));
    await feed.flush();

    expect(new Set(ids(feed.orders.get()))).toEqual(new Set([mine.order_id, mineLater.order_id]));
    expect(feed.cursor.get().since).toBe(4);
  });

  it('takes a snapshot of another epoch, keeping the open orders the new log lost as orphans', async () => {
    const feed = openFeed({ keepOrphanedMs: 60 * MINUTE });
    await feed.ready;
    const [lost, done, returning] = [makeOrder(), makeOrder(), makeOrder()];
    socket.emitSnapshot({ orders: [makeState(lost), makeState(returning)], seq: 50, epoch: EPOCH });
    socket.emitEvent(statusEvent(returning, 51, 'preparing', 3));
    socket.emitEvent(statusEvent(done, 52, 'completed', 4));
    await feed.flush();

    // The relay lost its data dir: its new log numbers seqs and versions from 1 again.
    const after = makeOrder();
    socket.emitSnapshot({
      orders: [makeState(after), makeState(returning, 'ready', 1)],
      seq: 2,
      epoch: 'epoch-b',
    });
    await feed.flush();
    const shown = () =>
      Object.fromEntries(feed.orders.get().map((o) => [o.order_id, [o.status, o.orphaned]]));
    expect(shown()).toEqual({
      [after.order_id]: ['pending', false],
      [returning.order_id]: ['ready', false],
      [lost.order_id]: ['pending', true],
      [done.order_id]: ['completed', true],
    });
    expect(feed.cursor.get()).toEqual({ since: 2, epoch: 'epoch-b' });

    // A later snapshot of the new log does not list the orphan either: it stays.
    socket.emitSnapshot({ orders: [makeState(after)], seq: 9, epoch: 'epoch-b' });
    await feed.flush();
    expect(feed.orders.get().map((o) => o.order_id)).toContain(lost.order_id);

    const reloaded = openFeed({ socket: new FakeSocket(), keepOrphanedMs: 60 * MINUTE });
    await reloaded.ready;
    expect(reloaded.orders.get().find((o) => o.order_id === lost.order_id)?.orphaned).toBe(true);
    reloaded.stop();

    // Not forever: an orphan goes after keepOrphanedMs.
    timers.advance(61 * MINUTE);
    await feed.flush();
    expect(feed.orders.get().map((o) => o.order_id)).not.toContain(lost.order_id);
  });

  it('the first relay snapshot orphans nothing central showed and drops none of it at once: the relay may not have it yet', async () => {
    const feed = openFeed({ keepOrphanedMs: 60 * MINUTE });
    await feed.ready;
    const [open, unlisted] = [makeOrder(), makeOrder()];
    socket.emitEvent({ ...newOrderEvent(open, 0), seq: null }, 'central');
    socket.emitEvent({ ...newOrderEvent(unlisted, 0), seq: null }, 'central');
    socket.emitSnapshot({ orders: [makeState(open)], seq: 4, epoch: EPOCH });
    await feed.flush();
    expect(feed.orders.get().some((o) => o.orphaned)).toBe(false);
    expect(feed.orders.get()).toHaveLength(2);
    // The relay may have closed it while this screen was away (central does not send the
    // outlet's own changes back): it goes after keepOrphanedMs unless the relay brings it.
    timers.advance(59 * MINUTE);
    await feed.flush();
    expect(feed.orders.get()).toHaveLength(2);
    timers.advance(2 * MINUTE);
    await feed.flush();
    expect(feed.orders.get().map((o) => o.order_id)).toEqual([open.order_id]);
  });

  it("central's copy at the relay's own version counts as the relay's once a snapshot lists it", async () => {
    const feed = openFeed({ keepOrphanedMs: 60 * MINUTE });
    await feed.ready;
    const order = makeOrder();
    // Central passes on the relay's upload: the order as the relay had it, version 2.
    socket.emitEvent({ ...statusEvent(order, 0, 'preparing', 2), seq: null }, 'central');
    socket.emitSnapshot({ orders: [makeState(order, 'preparing', 2)], seq: 4, epoch: EPOCH });
    await feed.flush();
    // Closed while this screen was away: the next snapshot's word is final at once.
    socket.emitSnapshot({ orders: [], seq: 9, epoch: EPOCH });
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
  });

  it('bumps an orphan on this screen only: the relay no longer knows it', async () => {
    socket.setLocal(true);
    const outbox = openOutbox();
    const feed = openFeed({ outbox });
    await feed.ready;
    const lost = makeOrder();
    socket.emitSnapshot({ orders: [makeState(lost)], seq: 5, epoch: EPOCH });
    socket.emitSnapshot({ orders: [], seq: 0, epoch: 'epoch-b' });
    await feed.flush();

    await feed.updateStatus(lost.order_id, 'preparing');
    await feed.updateStatus(lost.order_id, 'ready');
    await outbox.flush();
    await feed.flush();
    expect(socket.requests).toEqual([]);
    expect(feed.orders.get().map((o) => [o.status, o.pending, o.orphaned])).toEqual([
      ['ready', false, true],
    ]);
    const reloaded = openFeed({ socket: new FakeSocket() });
    await reloaded.ready;
    expect(reloaded.orders.get().map((o) => o.status)).toEqual(['ready']);
    reloaded.stop();
  });

  it('drops open orders a same-epoch snapshot no longer lists, keeps finished ones', async () => {
    const feed = openFeed();
    await feed.ready;
    const [gone, stays, done] = [makeOrder(), makeOrder(), makeOrder()];
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(gone, 1));
    socket.emitEvent(newOrderEvent(stays, 2));
    socket.emitEvent(newOrderEvent(done, 3));
    socket.emitEvent(statusEvent(done, 4, 'cancelled', 2));
    socket.emitSnapshot({ orders: [makeState(stays)], seq: 900, epoch: EPOCH });
    await feed.flush();

    expect(new Set(ids(feed.orders.get()))).toEqual(new Set([stays.order_id, done.order_id]));
  });

  it('keeps finished orders for keepFinishedMs, for recall', async () => {
    const feed = openFeed({ keepFinishedMs: 5 * MINUTE });
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(statusEvent(order, 2, 'completed', 2));
    await feed.flush();
    timers.advance(4 * MINUTE);
    await feed.flush();
    expect(feed.orders.get().map((o) => o.status)).toEqual(['completed']);

    timers.advance(MINUTE);
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
    const reloaded = openFeed({ socket: new FakeSocket() });
    await reloaded.ready;
    expect(reloaded.orders.get()).toEqual([]);
  });

  it('ignores presence events and malformed order data', async () => {
    const feed = openFeed();
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent({
      seq: null,
      event_id: crypto.randomUUID(),
      type: 'kitchen_status_changed',
      outlet_id: 1,
      tenant_id: null,
      data: { kitchen_id: 'k1', status: 'connected', timestamp: at(0) },
      ts: at(0),
    });
    socket.emitEvent({ ...newOrderEvent(order, 1), data: 'garbage' });
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
    expect(feed.cursor.get().since).toBe(1);
  });
});

describe('KitchenFeed persistence', () => {
  it('hands its cursor to the socket it connects to, so the wiring order does not matter', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCaughtUp({ seq: 7, epoch: EPOCH });
    await feed.flush();
    expect(socket.cursorSource?.get()).toEqual({ since: 7, epoch: EPOCH });
  });

  it('stores the central seq and its event with the orders it covers, for central mode to resume from', async () => {
    const feed = openFeed();
    await feed.ready;
    expect(socket.centralCursorSource?.get()).toBeNull();
    const order = makeOrder();
    const event = { ...newOrderEvent(order, 1), seq: null };
    // From central: its seq is central's, and the relay cursor does not move.
    socket.emitEvent(event, 'central', 41);
    await feed.flush();
    const applied = { since: 41, since_event: event.event_id };
    expect(socket.centralCursorSource?.get()).toEqual(applied);
    expect(feed.cursor.get()).toEqual({ since: 0, epoch: null });
    feed.stop();

    const reopenedSocket = new FakeSocket();
    const reopened = openFeed({ socket: reopenedSocket });
    await reopened.ready;
    expect(ids(reopened.orders.get())).toEqual([order.order_id]);
    expect(reopenedSocket.centralCursorSource?.get()).toEqual(applied);
    // caught_up at the same seq from a central that names no event: the stored one stays.
    reopenedSocket.emitCentralCaughtUp(41);
    await reopened.flush();
    expect(reopened.centralCursor.get()).toEqual(applied);
    // Central's log went back: the stored cursor follows it to the head and the event it names.
    reopenedSocket.emitCentralReset(3, 'e-3');
    await reopened.flush();
    expect(reopened.centralCursor.get()).toEqual({ since: 3, since_event: 'e-3' });
    reopenedSocket.emitCentralCaughtUp(9, 'e-9');
    await reopened.flush();
    expect(reopened.centralCursor.get()).toEqual({ since: 9, since_event: 'e-9' });
  });

  it('hands out a central seq stored by an older release (a seq alone) as a cursor without an event', async () => {
    const first = openFeed();
    await first.ready;
    first.stop();
    // What a release before since_event left in IndexedDB.
    const db = await openFeedDb(idb, 'kitchen-sync-feed');
    await db.put('meta', 41, 'central_seq');
    db.close();

    const feed = openFeed();
    await feed.ready;
    expect(feed.centralCursor.get()).toStrictEqual({ since: 41 });
    const event = { ...newOrderEvent(makeOrder(), 1), seq: null };
    socket.emitEvent(event, 'central', 42);
    await feed.flush();
    expect(feed.centralCursor.get()).toEqual({ since: 42, since_event: event.event_id });
  });

  it('stores the central seq below a gap, so a reload mid-gap resumes before the missing event', async () => {
    const feed = openFeed();
    await feed.ready;
    const missing = makeOrder({ created_at: at(1) });
    const early = makeOrder({ created_at: at(2) });
    socket.emitCentralCaughtUp(5);
    // Channels delivered 7 before 6: the order shows at once, the stored seq stays at 5.
    socket.emitEvent({ ...newOrderEvent(early, 1), seq: null }, 'central', 7);
    await feed.flush();
    expect(ids(feed.orders.get())).toEqual([early.order_id]);
    expect(feed.centralCursor.get()?.since).toBe(5);
    feed.stop();

    const reopenedSocket = new FakeSocket();
    const reopened = openFeed({ socket: reopenedSocket });
    const announced: string[] = [];
    reopened.onNewOrder((o) => announced.push(o.order_id));
    await reopened.ready;
    expect(reopenedSocket.centralCursorSource?.get()).toEqual({ since: 5 });
    // The replay after 5: 6 at last, and 7 again, which changes nothing.
    reopenedSocket.emitEvent({ ...newOrderEvent(missing, 1), seq: null }, 'central', 6);
    reopenedSocket.emitEvent({ ...newOrderEvent(early, 1), seq: null }, 'central', 7);
    reopenedSocket.emitCentralCaughtUp(7);
    await reopened.flush();
    expect(ids(reopened.orders.get())).toEqual([early.order_id, missing.order_id]);
    expect(announced).toEqual([missing.order_id]);
    expect(reopened.centralCursor.get()?.since).toBe(7);
  });

  it('moves the stored central seq past a gap central caught_up says its log does not have', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCentralCaughtUp(5);
    socket.emitEvent({ ...newOrderEvent(makeOrder(), 1), seq: null }, 'central', 7);
    await feed.flush();
    expect(feed.centralCursor.get()?.since).toBe(5);
    socket.emitCentralCaughtUp(7);
    socket.emitEvent({ ...newOrderEvent(makeOrder(), 1), seq: null }, 'central', 8);
    await feed.flush();
    expect(feed.centralCursor.get()?.since).toBe(8);
  });

  it('without IndexedDB it reports storage on ready and still shows what arrives, in memory', async () => {
    // What Firefox's private mode did: open() throws.
    const blocked = {
      open: () => {
        throw new DOMException('blocked', 'InvalidStateError');
      },
    } as unknown as IDBFactory;
    const feed = openFeed({ indexedDB: blocked });
    const error = (await feed.ready.catch((e) => e)) as KitchenSyncError;
    expect(error.code).toBe('storage');
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const event = newOrderEvent(order, 1);
    socket.emitEvent(event);
    await feed.flush();
    expect(ids(feed.orders.get())).toEqual([order.order_id]);
    expect(feed.cursor.get()).toEqual({ since: 1, epoch: EPOCH, since_event: event.event_id });
    // Nothing retries a write that can never succeed: only the prune interval is left.
    expect(timers.delays()).toEqual([60_000]);
  });

  it('a new feed on the same database shows orders and cursor at once, offline', async () => {
    const feed = openFeed();
    await feed.ready;
    const orders = [makeOrder({ created_at: at(1) }), makeOrder({ created_at: at(2) })];
    socket.emitSnapshot({ orders: [], seq: 0, epoch: EPOCH });
    for (const [i, o] of orders.entries()) socket.emitEvent(newOrderEvent(o, i + 1));
    const last = statusEvent(orders[0]!, 3, 'preparing', 2);
    socket.emitEvent(last);
    await feed.flush();
    feed.stop();

    const reopened = openFeed({ socket: new FakeSocket() });
    await reopened.ready;
    expect(reopened.orders.get().map((o) => [o.order_id, o.status])).toEqual([
      [orders[1]!.order_id, 'pending'],
      [orders[0]!.order_id, 'preparing'],
    ]);
    expect(reopened.cursor.get()).toEqual({ since: 3, epoch: EPOCH, since_event: last.event_id });
  });

  it('hands out a cursor stored by an older release (no since_event) as it was, and adds the id at the next event', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(makeOrder(), 1));
    await feed.flush();
    feed.stop();
    // What a release before since_event left in IndexedDB.
    const db = await openFeedDb(idb, 'kitchen-sync-feed');
    await db.put('meta', { since: 1, epoch: EPOCH }, 'cursor');
    db.close();

    const reopened = openFeed({ socket: new FakeSocket() });
    await reopened.ready;
    expect(reopened.cursor.get()).toStrictEqual({ since: 1, epoch: EPOCH });
    const relay = new FakeSocket();
    reopened.connect(relay);
    relay.emitCaughtUp({ seq: 1, epoch: EPOCH });
    const next = newOrderEvent(makeOrder(), 2);
    relay.emitEvent(next);
    await reopened.flush();
    expect(reopened.cursor.get()).toEqual({ since: 2, epoch: EPOCH, since_event: next.event_id });
  });

  it('two tabs on one database: a tab that is behind never stores an older order or cursor', async () => {
    const ahead = openFeed({ socket: new FakeSocket() });
    const behind = openFeed({ socket: new FakeSocket() });
    await Promise.all([ahead.ready, behind.ready]);
    const [order, later] = [makeOrder(), makeOrder()];
    const aheadSocket = new FakeSocket();
    const behindSocket = new FakeSocket();
    ahead.connect(aheadSocket);
    behind.connect(behindSocket);
    for (const socket of [aheadSocket, behindSocket]) {
      socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
      socket.emitEvent(newOrderEvent(order, 1));
    }
    aheadSocket.emitEvent(statusEvent(order, 2, 'preparing', 2));
    await ahead.flush();
    await behind.flush();
    const third = newOrderEvent(later, 3);
    aheadSocket.emitEvent(third);
    await ahead.flush();

    const reopened = openFeed({ socket: new FakeSocket() });
    await reopened.ready;
    expect(reopened.cursor.get()).toEqual({ since: 3, epoch: EPOCH, since_event: third.event_id });
    expect(reopened.orders.get().find((o) => o.order_id === order.order_id)?.status).toBe(
      'preparing',
    );
  });

  it('hands out the cursor only once the events it covers are stored', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    await feed.flush();
    socket.emitEvent(newOrderEvent(makeOrder(), 1));
    expect(feed.cursor.get().since).toBe(0);
    expect(feed.orders.get()).toEqual([]);

    timers.advance(16);
    expect(feed.orders.get()).toHaveLength(1);
    await feed.flush();
    expect(feed.cursor.get().since).toBe(1);
  });

  it('keeps a burst that is not yet stored when the app reloads from IndexedDB', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    const event = newOrderEvent(order, 1);
    socket.emitEvent(event);

    await feed.load();

    expect(ids(feed.orders.get())).toEqual([order.order_id]);
    expect(feed.cursor.get()).toEqual({ since: 1, epoch: EPOCH, since_event: event.event_id });
  });

  it('refuses to reload over a burst IndexedDB refused, keeps it, and stores it on the retry', async () => {
    const feed = openFeed();
    await feed.ready;
    const commit = vi
      .spyOn(FeedStore.prototype, 'commit')
      .mockRejectedValueOnce(new DOMException('disk full', 'QuotaExceededError'));
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    socket.emitEvent(newOrderEvent(order, 1));

    const refused = (await feed.load().catch((e) => e)) as KitchenSyncError;

    expect(refused.code).toBe('storage');
    expect(commit).toHaveBeenCalledTimes(1);
    expect(ids(feed.orders.get())).toEqual([order.order_id]);
    // The cursor handed out covers only what is stored.
    expect(feed.cursor.get()).toEqual({ since: 0, epoch: null });
    const later = makeOrder();
    const second = newOrderEvent(later, 2);
    socket.emitEvent(second);
    await feed.flush();
    await feed.load();
    expect(ids(feed.orders.get()).sort()).toEqual([order.order_id, later.order_id].sort());
    expect(feed.cursor.get()).toEqual({ since: 2, epoch: EPOCH, since_event: second.event_id });
    commit.mockRestore();
  });

  it('stores the last burst when stopped before its timer fires', async () => {
    const feed = openFeed();
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    const event = newOrderEvent(order, 1);
    socket.emitEvent(event);
    feed.stop();

    const reopened = openFeed({ socket: new FakeSocket() });
    await reopened.ready;
    expect(ids(reopened.orders.get())).toEqual([order.order_id]);
    expect(reopened.cursor.get()).toEqual({ since: 1, epoch: EPOCH, since_event: event.event_id });
  });

  it('applies events that arrive while it loads on top of what was stored', async () => {
    const first = openFeed();
    await first.ready;
    const stored = makeOrder({ created_at: at(1) });
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(stored, 1));
    await first.flush();
    first.stop();

    const live = new FakeSocket();
    const second = openFeed({ socket: live });
    const arriving = makeOrder({ created_at: at(2) });
    live.emitEvent(statusEvent(stored, 2, 'preparing', 2));
    live.emitEvent(newOrderEvent(arriving, 3));
    await second.flush();
    expect(second.orders.get().map((o) => [o.order_id, o.status])).toEqual([
      [arriving.order_id, 'pending'],
      [stored.order_id, 'preparing'],
    ]);
  });
});

describe('KitchenFeed new orders and alerts', () => {
  it('announces only orders it had never seen, not reloads or replays', async () => {
    const first = openFeed();
    const seen: string[] = [];
    first.onNewOrder((o) => seen.push(o.order_id));
    await first.ready;
    const known = makeOrder();
    socket.emitSnapshot({ orders: [], seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(known, 1));
    await first.flush();
    first.stop();

    const live = new FakeSocket();
    const second = openFeed({ socket: live });
    const seenAfterReload: string[] = [];
    second.onNewOrder((o) => seenAfterReload.push(o.order_id));
    await second.ready;
    const fresh = makeOrder();
    live.emitSnapshot({ orders: [makeState(known)], seq: 1, epoch: EPOCH });
    live.emitEvent({ ...newOrderEvent(known, 1), seq: null }, 'central');
    live.emitEvent(newOrderEvent(fresh, 2));
    live.emitEvent(newOrderEvent(fresh, 2));
    await second.flush();

    expect(seen).toEqual([known.order_id]);
    expect(seenAfterReload).toEqual([fresh.order_id]);
  });

  it('plays one sound per burst, notifies per order, and obeys the switches', async () => {
    const sounds: number[] = [];
    const notified: string[] = [];
    const feed = openFeed({
      playSound: () => sounds.push(timers.now()),
      notify: (order) => notified.push(order.order_number),
    });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const [a, b] = [makeOrder(), makeOrder()];
    socket.emitEvent(newOrderEvent(a, 1));
    socket.emitEvent(newOrderEvent(b, 2));
    await feed.flush();
    expect(sounds).toHaveLength(1);
    expect(notified).toEqual([a.order_number, b.order_number]);

    feed.alerts.set({ sound: false, notification: true });
    const c = makeOrder();
    socket.emitEvent(newOrderEvent(c, 3));
    await feed.flush();
    feed.alerts.update((s) => ({ ...s, notification: false }));
    socket.emitEvent(newOrderEvent(makeOrder(), 4));
    await feed.flush();

    expect(sounds).toHaveLength(1);
    expect(notified).toEqual([a.order_number, b.order_number, c.order_number]);
    expect(feed.orders.get()).toHaveLength(4);
  });

  it('keeps going when an alert or a listener fails', async () => {
    const feed = openFeed({
      playSound: () => Promise.reject(new Error('autoplay blocked')),
      notify: () => {
        throw new Error('no permission');
      },
    });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(makeOrder(), 1));
    await feed.flush();
    expect(feed.orders.get()).toHaveLength(1);
    expect(feed.cursor.get().since).toBe(1);
  });
});

describe('KitchenFeed actions through the outbox', () => {
  async function setup() {
    socket.setLocal(true);
    const outbox = openOutbox();
    const feed = openFeed({ outbox });
    await feed.ready;
    const order = makeOrder();
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(newOrderEvent(order, 1));
    await feed.flush();
    return { outbox, feed, order };
  }

  it('shows a status change at once, marked pending, until the relay confirms it', async () => {
    const { outbox, feed, order } = await setup();
    socket.handler = () => ({ ok: true, seq: 2, version: 2, duplicate: false });

    const sent = feed.updateStatus(order.order_id, 'preparing');
    expect(feed.orders.get().map((o) => [o.status, o.pending, o.confirmed_status])).toEqual([
      ['preparing', true, 'pending'],
    ]);
    await sent;
    await outbox.flush();
    expect(socket.requests.map((r) => [r.type, (r.payload as OrderUpdate).status])).toEqual([
      ['order:update', 'preparing'],
    ]);
    expect(feed.orders.get()[0]?.pending).toBe(true);

    socket.emitEvent(statusEvent(order, 2, 'preparing', 2));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', false]]);
  });

  it('works on a page without crypto.randomUUID (plain http on the LAN): "Start" is sent', async () => {
    const { outbox, feed, order } = await setup();
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) });
    try {
      await feed.updateStatus(order.order_id, 'preparing');
      await feed.acknowledge(order.order_id);
    } finally {
      vi.unstubAllGlobals();
    }
    await outbox.flush();
    const eventIds = socket.requests.map((r) => (r.payload as { event_id: string }).event_id);
    expect(socket.requests.map((r) => r.type)).toEqual(['order:update', 'order:ack']);
    for (const id of eventIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
  });

  // Two tabs of one kitchen share the outbox, and only the tab holding its lock delivers and
  // hears the ack or the refusal: the other must settle its mark from the relay's events.
  it('settles a change another tab delivered: by the status it reached, or a finished order', async () => {
    const { feed, order } = await setup();
    socket.setLocal(false);
    await feed.updateStatus(order.order_id, 'preparing');
    expect(feed.orders.get()[0]?.pending).toBe(true);
    socket.emitEvent(statusEvent(order, 2, 'preparing', 2));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', false]]);

    await feed.updateStatus(order.order_id, 'ready');
    expect(feed.orders.get()[0]?.pending).toBe(true);
    // The POS cancelled it meanwhile: the change can never apply, the cook must see it.
    socket.emitEvent(statusEvent(order, 3, 'cancelled', 3));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['cancelled', false]]);
  });

  it('rolls the change back when the relay rejects it', async () => {
    const { outbox, feed, order } = await setup();
    socket.handler = () => ({
      ok: false,
      error: { code: 'invalid_transition', message: 'already cancelled' },
    });

    await feed.updateStatus(order.order_id, 'preparing');
    await outbox.flush();

    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['pending', false]]);
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['invalid_transition']);
  });

  // Protocol v1.2: a double tap's second step, sent on the version the screen showed.
  it('sends the version it is given; a step the relay answers stale is rolled back', async () => {
    const { outbox, feed, order } = await setup();
    const started = makeState(order, 'preparing', 2);
    const answers: RequestAck[] = [
      { ok: true, seq: 2, version: 2, duplicate: false },
      { ok: true, seq: 0, version: 2, duplicate: true, stale: true, order: started } as RequestAck,
    ];
    socket.handler = () => answers.shift()!;

    await feed.updateStatus(order.order_id, 'preparing', { version: 1 });
    await feed.updateStatus(order.order_id, 'ready', { version: 1 });
    await outbox.flush();

    const sent = socket.requests.map((r) => r.payload as OrderUpdate);
    expect(sent.map((p) => [p.status, p.version])).toEqual([
      ['preparing', 1],
      ['ready', 1],
    ]);
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['stale']);
    socket.emitEvent(statusEvent(order, 2, 'preparing', 2));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', false]]);
  });

  it('refuses a transition the state machine forbids, without sending it', async () => {
    const { outbox, feed, order } = await setup();
    const error = (await feed
      .updateStatus(order.order_id, 'completed')
      .catch((e) => e)) as KitchenSyncError;
    const missing = (await feed
      .updateStatus(crypto.randomUUID(), 'preparing')
      .catch((e) => e)) as KitchenSyncError;

    expect(error).toBeInstanceOf(KitchenSyncError);
    expect(error.code).toBe('invalid_transition');
    expect(missing.code).toBe('not_found');
    await outbox.flush();
    expect(socket.requests).toEqual([]);
  });

  it('shows a queued change again after a reload, until it is confirmed', async () => {
    const { outbox, feed, order } = await setup();
    socket.setLocal(false);
    await feed.updateStatus(order.order_id, 'preparing');
    await feed.flush();
    feed.stop();
    outbox.stop();

    const outbox2 = openOutbox();
    const feed2 = openFeed({ outbox: outbox2 });
    await feed2.ready;
    expect(feed2.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', true]]);
  });

  it('acknowledges an order through the outbox', async () => {
    const { outbox, feed, order } = await setup();
    await feed.acknowledge(order.order_id);
    await until(outbox.pending, (list) => list.length === 0);
    expect(socket.requests.map((r) => [r.type, (r.payload as OrderAck).order_id])).toEqual([
      ['order:ack', order.order_id],
    ]);
  });

  it('needs an outbox to act', async () => {
    const feed = openFeed();
    await feed.ready;
    const error = (await feed.acknowledge(crypto.randomUUID()).catch((e) => e)) as KitchenSyncError;
    expect(error.code).toBe('not_started');
  });
});
