import 'fake-indexeddb/auto';
import {
  applyItemUpdate,
  applyRecall,
  applyRush,
  type EventEnvelope,
  type KitchenOutcome,
  type OrderLine,
  type OrderState,
  openOrder,
  withOrderStatus,
} from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../../src/feed/kitchenFeed.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';

// The feed as it stands knows the v1 event types only: this proves a screen built on it keeps
// working when a v1.1 relay sends the new ones (it takes the order each event carries by version).
const EPOCH = 'epoch-a';
let feed: KitchenFeed | undefined;
afterEach(() => feed?.stop());

function envelope(type: string, state: OrderState, seq: number): EventEnvelope {
  return {
    seq,
    event_id: crypto.randomUUID(),
    type: type as EventEnvelope['type'],
    outlet_id: state.outlet_id,
    tenant_id: state.tenant_id,
    order_id: state.order_id,
    data: state,
    ts: new Date(0).toISOString(),
  };
}

const changed = (outcome: KitchenOutcome): OrderState => {
  if (outcome.kind !== 'changed') throw new Error(outcome.kind);
  return outcome.state;
};

describe('a v1 feed receiving v1.1 events', () => {
  it('shows the order each new event type carries, moves its cursor, and takes a recall back', async () => {
    const timers = new ManualTimers();
    const socket = new FakeSocket();
    feed = createKitchenFeed({
      indexedDB: new IDBFactory(),
      timers,
      now: timers.now,
      socket,
      playSound: () => {},
      notify: () => {},
    });
    await feed.ready;
    const order = makeOrder({
      items: [
        { product_id: 1, name: 'Steak', quantity: 1 },
        { product_id: 2, name: 'Fries', quantity: 1 },
      ],
    });
    const opened: OrderState = { ...openOrder(order, 0), status: 'pending', version: 1 };
    const line = (i: number) => (opened.items[i] as OrderLine).line_id;
    const s2 = changed(applyItemUpdate(opened, { line_id: line(0), status: 'ready' }, 1));
    const s3 = changed(applyRush(s2, 2));
    const s4 = changed(applyItemUpdate(s3, { line_id: line(1), status: 'ready' }, 3));
    const s5 = withOrderStatus({ ...s4, status: 'completed', version: 5 }, 'ready', 4);
    const s6 = changed(applyRecall(s5, {}, 5));

    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    socket.emitEvent(envelope('new_order', opened, 1));
    socket.emitEvent(envelope('order_item_updated', s2, 2));
    socket.emitEvent(envelope('order_rushed', s3, 3));
    socket.emitEvent(envelope('order_item_updated', s4, 4));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.version, o.priority])).toEqual([
      ['ready', 4, 'rush'],
    ]);

    socket.emitEvent(envelope('order_completed', s5, 5));
    socket.emitEvent(envelope('order_recalled', s6, 6));
    // A type no version of the protocol has yet: taken the same way.
    const future = envelope('order_from_the_future', { ...s6, version: 7 }, 7);
    socket.emitEvent(future);
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.status, o.version])).toEqual([['preparing', 7]]);
    expect(feed.cursor.get()).toEqual({ since: 7, epoch: EPOCH, since_event: future.event_id });
  });
});
