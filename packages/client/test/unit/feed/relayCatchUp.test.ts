import 'fake-indexeddb/auto';
import type { EventEnvelope, Order, OrderUpdate } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import type { RecordedRequest } from '../fakes/fakeSocket.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder, makeState } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

const EPOCH = 'epoch-a';

let idb: IDBFactory;
let timers: ManualTimers;
let socket: FakeSocket;
let stoppers: Array<{ stop(): void }>;
/** The orders the fake relay holds: commands about any other are refused as its core does. */
let relayHas: Set<string>;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  socket = new FakeSocket();
  stoppers = [];
  relayHas = new Set();
  socket.handler = (request) => relayAnswer(request);
  socket.setLocal(true);
});

afterEach(() => {
  for (const s of stoppers) s.stop();
});

function relayAnswer({ type, payload }: RecordedRequest): RequestAck {
  const orderId = (payload as { order_id: string }).order_id;
  if (relayHas.has(orderId)) return { ok: true, seq: 9, version: 2, duplicate: false };
  // The relay's answers for an order it does not hold: an ack is obsolete, a command not_found.
  if (type === 'order:ack') return { ok: true, seq: 0, duplicate: false, obsolete: true };
  return { ok: false, error: { code: 'not_found', message: 'no such order' } };
}

async function setup(
  { synced }: { synced: boolean } = { synced: true },
): Promise<{ feed: KitchenFeed; outbox: OrderOutbox }> {
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
  const feed = await openFeed(outbox);
  if (synced) socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
  return { feed, outbox };
}

/** A kitchen screen on the shared database, socket and outbox: a reload opens another. */
async function openFeed(outbox: OrderOutbox): Promise<KitchenFeed> {
  const feed = createKitchenFeed({
    indexedDB: idb,
    timers,
    now: timers.now,
    socket,
    outbox,
    playSound: () => {},
    notify: () => {},
  });
  stoppers.push(feed);
  await feed.ready;
  return feed;
}

/** The order as central's outlet socket brings it: no relay seq, no version. */
function fromCentral(order: Order, centralSeq: number): void {
  const event: EventEnvelope = {
    ...newOrderEvent(order, 0),
    seq: null,
    event_id: `new_order:${order.order_id}:pending`,
    data: order,
  };
  socket.emitEvent(event, 'central', centralSeq);
}

/** The POS's copy lands at the relay, which sends its new_order. */
function relayBrings(order: Order, seq: number): void {
  relayHas.add(order.order_id);
  socket.emitEvent(newOrderEvent(order, seq));
}

const sent = (type: string) =>
  socket.requests.filter((r) => r.type === type).map((r) => r.payload as OrderUpdate);

describe('what a kitchen does to an order only central has brought yet', () => {
  it('sends the ack and the bump the relay could not take once the relay has the order', async () => {
    const { feed, outbox } = await setup();
    const order = makeOrder();
    fromCentral(order, 1);
    await feed.flush();

    await feed.acknowledge(order.order_id);
    await feed.updateStatus(order.order_id, 'preparing');
    await outbox.flush();
    // The bump got to the relay before the POS's order: refused, and no ack went to be dropped.
    expect(sent('order:ack')).toEqual([]);
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['not_found']);
    // The cook's bump stays on the card while it waits for the relay's copy (a reconnect's
    // snapshot that has not come yet made it look like any other order).
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', true]]);

    relayBrings(order, 1);
    await feed.flush();
    await until(outbox.rejected, (list) => list.length === 0);
    await outbox.flush();

    expect(sent('order:ack').map((p) => p.order_id)).toEqual([order.order_id]);
    expect(sent('order:update').map((p) => [p.order_id, p.status])).toEqual([
      [order.order_id, 'preparing'],
      [order.order_id, 'preparing'],
    ]);
    expect(outbox.pending.get()).toEqual([]);
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', true]]);
    socket.emitEvent(statusEvent(order, 2, 'preparing', 2));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', false]]);
  });

  it("sends a refused bump again at once when the relay's copy came before the refusal", async () => {
    const { feed, outbox } = await setup();
    const order = makeOrder();
    fromCentral(order, 1);
    await feed.flush();
    // The relay answers the bump not_found, and its new_order for the POS's copy overtakes it.
    socket.handler = (request) => {
      const answer = relayAnswer(request);
      if (!relayHas.has(order.order_id)) relayBrings(order, 1);
      return answer;
    };

    await feed.updateStatus(order.order_id, 'preparing');
    await outbox.flush();
    await until(outbox.rejected, (list) => list.length === 0);
    await outbox.flush();

    expect(sent('order:update')).toHaveLength(2);
    expect(outbox.pending.get()).toEqual([]);
    expect(outbox.rejected.get()).toEqual([]);
  });

  it('an order the relay brought first and then lost stays refused: nothing is sent again', async () => {
    const { feed, outbox } = await setup();
    const order = makeOrder();
    socket.emitEvent(newOrderEvent(order, 1));
    fromCentral(order, 1);
    await feed.flush();

    await feed.acknowledge(order.order_id);
    await feed.updateStatus(order.order_id, 'preparing');
    await outbox.flush();
    socket.emitEvent(statusEvent(order, 2, 'pending', 1));
    await feed.flush();
    await outbox.flush();

    expect(sent('order:ack')).toHaveLength(1);
    expect(sent('order:update')).toHaveLength(1);
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['not_found']);
  });

  // A kitchen first opened while the relay PC is down shows what central brings; the relay's
  // first snapshot, taken before the POS's copy reached it, does not list those orders.
  it("keeps central's tickets through the relay's first snapshot, across a reload too", async () => {
    const { feed, outbox } = await setup({ synced: false });
    const order = makeOrder();
    const other = makeOrder();
    fromCentral(order, 1);
    await feed.flush();
    await feed.acknowledge(order.order_id);

    socket.emitSnapshot({ orders: [makeState(other)], seq: 4, epoch: EPOCH });
    await feed.flush();
    const both = [order.order_id, other.order_id].sort();
    expect(
      feed.orders
        .get()
        .map((o) => o.order_id)
        .sort(),
    ).toEqual(both);
    expect(feed.orders.get().some((o) => o.orphaned)).toBe(false);

    feed.stop();
    const reloaded = await openFeed(outbox);
    socket.emitSnapshot({ orders: [makeState(other)], seq: 4, epoch: EPOCH });
    await reloaded.flush();
    expect(
      reloaded.orders
        .get()
        .map((o) => o.order_id)
        .sort(),
    ).toEqual(both);

    // The reloaded screen still sends the bump the relay refused once the order reaches it.
    await reloaded.updateStatus(order.order_id, 'preparing');
    await outbox.flush();
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['not_found']);
    relayBrings(order, 5);
    await reloaded.flush();
    await until(outbox.rejected, (list) => list.length === 0);
    await outbox.flush();
    expect(sent('order:update')).toHaveLength(2);

    // Once the relay has it, its snapshot is the truth again: closed while away means gone.
    socket.emitSnapshot({ orders: [makeState(other)], seq: 9, epoch: EPOCH });
    await reloaded.flush();
    expect(reloaded.orders.get().map((o) => o.order_id)).toEqual([other.order_id]);
  });
});

describe('what waits for the relay survives a reload', () => {
  it('a deferred ack is sent once the relay brings the order, after a reload', async () => {
    const { feed, outbox } = await setup();
    const order = makeOrder();
    fromCentral(order, 1);
    await feed.flush();
    await feed.acknowledge(order.order_id);
    await outbox.flush();
    expect(sent('order:ack')).toEqual([]);

    feed.stop();
    const reloaded = await openFeed(outbox);
    relayBrings(order, 1);
    await reloaded.flush();
    await outbox.flush();
    expect(sent('order:ack').map((p) => p.order_id)).toEqual([order.order_id]);
  });

  it('a bump refused not_found before the reload is sent again once the relay brings the order', async () => {
    const { feed, outbox } = await setup();
    const order = makeOrder();
    fromCentral(order, 1);
    await feed.flush();
    await feed.updateStatus(order.order_id, 'preparing');
    await outbox.flush();
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(['not_found']);

    feed.stop();
    const reloaded = await openFeed(outbox);
    relayBrings(order, 1);
    await reloaded.flush();
    await until(outbox.rejected, (list) => list.length === 0);
    await outbox.flush();
    expect(sent('order:update')).toHaveLength(2);
  });

  it('one a new relay log never brings leaves the screen after keepOrphanedMs', async () => {
    const { feed } = await setup();
    const order = makeOrder();
    fromCentral(order, 1);
    await feed.flush();
    // The outlet PC was replaced: the new log's snapshot does not list the order.
    socket.emitSnapshot({ orders: [], seq: 0, epoch: 'epoch-b' });
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.order_id, o.orphaned])).toEqual([
      [order.order_id, false],
    ]);
    timers.advance(61 * 60_000);
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
  });
});
