import 'fake-indexeddb/auto';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../../src/feed/kitchenFeed.js';
import { createSocketService } from '../../../src/socket/socketService.js';
import type { SocketService } from '../../../src/socket/types.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';
import { FakeRelaySocket, resetFakes } from './fakes.js';

// A relay that lost its data dir starts a new log (another epoch) whose seqs, event ids and
// histories begin again: the same order may pass through `pending` once in each log.
let timers: ManualTimers;
let stoppers: Array<{ stop(): void }>;

beforeEach(() => {
  resetFakes();
  timers = new ManualTimers();
  stoppers = [];
});

afterEach(() => {
  for (const s of stoppers) s.stop();
});

function service(): SocketService {
  const s = createSocketService({
    outletId: 1,
    relayUrl: 'http://relay.test:3001',
    token: 'tok',
    io: FakeRelaySocket.factory,
    timers,
    now: timers.now,
    random: () => 0.5,
    reconnect: { min: 1_000, max: 1_000, jitter: 0 },
    fetch: () => new Promise<Response>(() => {}),
  });
  stoppers.push(s);
  return s;
}

async function connected(): Promise<FakeRelaySocket> {
  // The token is resolved before each connect.
  await Promise.resolve();
  await Promise.resolve();
  const relay = FakeRelaySocket.latest();
  relay.accept();
  return relay;
}

/** The relay goes down and comes back (with whatever log it then has). */
async function reconnect(relay: FakeRelaySocket): Promise<void> {
  relay.drop();
  timers.advance(1_000);
  await Promise.resolve();
  await Promise.resolve();
  relay.accept();
}

describe('socket service across relay epochs', () => {
  it("forgets the old log's de-dup keys when a snapshot of a new epoch arrives", async () => {
    const s = service();
    const got: Array<[string, string | undefined]> = [];
    s.on('event', (e: EventEnvelope) => got.push([e.type, (e.data as { status?: string }).status]));
    s.start();
    const relay = await connected();
    const order = makeOrder();

    relay.sendSnapshot({ orders: [], seq: 0, epoch: 'epoch-a' });
    relay.sendEvent(newOrderEvent(order, 1));
    relay.sendEvent(statusEvent(order, 2, 'preparing', 2));

    await reconnect(relay);
    // The wipe swallowed the POS's ack: it sends the order again, the kitchen starts again.
    relay.sendSnapshot({ orders: [], seq: 0, epoch: 'epoch-b' });
    relay.sendEvent(newOrderEvent(order, 1));
    relay.sendEvent(statusEvent(order, 2, 'preparing', 2));

    expect(got).toEqual([
      ['new_order', 'pending'],
      ['order_updated', 'preparing'],
      ['new_order', 'pending'],
      ['order_updated', 'preparing'],
    ]);
  });

  it('the same epoch after a reconnect still drops a replayed copy', async () => {
    const s = service();
    const got: string[] = [];
    s.on('event', (e) => got.push(e.event_id));
    s.start();
    const relay = await connected();
    const event = newOrderEvent(makeOrder(), 1);
    relay.sendSnapshot({ orders: [], seq: 0, epoch: 'epoch-a' });
    relay.sendEvent(event);
    await reconnect(relay);
    relay.sendCaughtUp({ seq: 1, epoch: 'epoch-a' });
    relay.sendEvent({ ...event, seq: null });
    expect(got).toEqual([event.event_id]);
  });

  it('a kitchen feed re-adopts an orphaned order when the new log brings it again', async () => {
    const s = service();
    const feed: KitchenFeed = createKitchenFeed({
      indexedDB: new IDBFactory(),
      timers,
      now: timers.now,
      socket: s,
      playSound: () => {},
      notify: () => {},
    });
    stoppers.push(feed);
    await feed.ready;
    s.start();
    const relay = await connected();
    const order = makeOrder();
    relay.sendSnapshot({ orders: [], seq: 0, epoch: 'epoch-a' });
    relay.sendEvent(newOrderEvent(order, 1));
    relay.sendEvent(statusEvent(order, 2, 'preparing', 2));
    await feed.flush();

    await reconnect(relay);
    relay.sendSnapshot({ orders: [], seq: 0, epoch: 'epoch-b' });
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.order_id, o.orphaned])).toEqual([
      [order.order_id, true],
    ]);

    relay.sendEvent(newOrderEvent(order, 1));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.order_id, o.status, o.orphaned])).toEqual([
      [order.order_id, 'pending', false],
    ]);
    const second = statusEvent(order, 2, 'preparing', 2);
    relay.sendEvent(second);
    relay.sendCaughtUp({ seq: 2, epoch: 'epoch-b' });
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.order_id, o.status, o.orphaned])).toEqual([
      [order.order_id, 'preparing', false],
    ]);
    expect(feed.cursor.get()).toEqual({ since: 2, epoch: 'epoch-b', since_event: second.event_id });
  });
});
