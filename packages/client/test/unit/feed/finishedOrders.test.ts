import 'fake-indexeddb/auto';
import {
  EVENT_TYPES,
  type EventEnvelope,
  type OrderState,
  orderLines,
} from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed, type KitchenFeedOptions } from '../../../src/feed/kitchenFeed.js';
import type { KitchenOrder } from '../../../src/feed/types.js';
import { createExpoView } from '../../../src/feed/views/expoView.js';
import { createStationView } from '../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../src/feed/views/ticketBoard.js';
import { newOrderEvent, statusEvent } from '../fakes/events.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder, makeState } from '../fakes/orders.js';

// Counts the lines the views read: each changed ticket is read once, through this.
vi.mock('@kitchen-sync/protocol', async (importOriginal) => {
  const real = await importOriginal<typeof import('@kitchen-sync/protocol')>();
  return { ...real, orderLines: vi.fn(real.orderLines) };
});

const EPOCH = 'epoch-a';
const MINUTE = 60_000;
const FINISHED = 1000;

let idb: IDBFactory;
let timers: ManualTimers;
let socket: FakeSocket;
let stoppers: Array<{ stop(): void }>;

beforeEach(() => {
  idb = new IDBFactory();
  timers = new ManualTimers();
  timers.time = Date.UTC(2026, 0, 1, 12);
  socket = new FakeSocket();
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
    socket,
    playSound: () => {},
    notify: () => {},
    ...options,
  });
  stoppers.push(feed);
  return feed;
}

/** `data` whose `order_number` counts its reads: any copy or look at the order reads it. */
function counted(state: OrderState, reads: { count: number }): OrderState {
  const { order_number, ...rest } = state;
  return Object.defineProperty(rest, 'order_number', {
    enumerable: true,
    get: () => {
      reads.count++;
      return order_number;
    },
  }) as OrderState;
}

/** Counts the comparisons of every `Array.prototype.sort` while `fn` runs. */
async function comparesDuring(fn: () => Promise<void>): Promise<number> {
  const sort = Array.prototype.sort;
  let compares = 0;
  const spy = vi.spyOn(Array.prototype, 'sort').mockImplementation(function (
    this: unknown[],
    compare?: (a: unknown, b: unknown) => number,
  ) {
    return sort.call(this, (a, b) => {
      compares++;
      return compare ? compare(a, b) : String(a) < String(b) ? -1 : 1;
    });
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return compares;
}

describe('finished orders held for recall', () => {
  it('a new order costs the orders that changed, not the 1,000 finished ones held', async () => {
    const feed = openFeed({ keepFinishedMs: 30 * MINUTE });
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const station = createStationView(board, { stations: [''], includeUnassigned: true });
    stoppers.push(expo, station, { stop: board.connect(feed.orders) });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const reads = { count: 0 };
    let seq = 0;
    for (let i = 0; i < FINISHED; i++) {
      const order = makeOrder();
      socket.emitEvent(newOrderEvent(order, ++seq));
      const done = statusEvent(order, ++seq, 'completed', 2);
      socket.emitEvent({ ...done, data: counted(done.data as OrderState, reads) });
    }
    await feed.flush();
    expect(feed.orders.get()).toHaveLength(FINISHED);
    const held = new Map(feed.orders.get().map((o) => [o.order_id, o]));

    for (let round = 0; round < 3; round++) {
      reads.count = 0;
      vi.mocked(orderLines).mockClear();
      const order = makeOrder({ created_at: new Date(timers.time + MINUTE + round).toISOString() });
      const compares = await comparesDuring(async () => {
        socket.emitEvent(newOrderEvent(order, ++seq));
        await feed.flush();
      });

      expect(expo.get().map((e) => e.ticket.order_id)).toContain(order.order_id);
      // No finished order was copied, compared or read again: the list was not re-sorted,
      // the board and views read the new ticket's lines once.
      expect(reads.count).toBe(0);
      expect(compares).toBeLessThan(20);
      expect(vi.mocked(orderLines)).toHaveBeenCalledTimes(1);
      const list = feed.orders.get();
      expect(list[0]?.order_id).toBe(order.order_id);
      expect(list.slice(1).every((o) => o === held.get(o.order_id))).toBe(true);
      held.set(order.order_id, list[0] as KitchenOrder);
    }
  });

  it('keeps the list newest first through changes, removals and prunes', async () => {
    const feed = openFeed({ keepFinishedMs: MINUTE });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const at = (s: number) => new Date(timers.time + s * 1000).toISOString();
    const a = makeOrder({ created_at: at(1) });
    const b = makeOrder({ created_at: at(3) });
    const late = makeOrder({ created_at: at(2) });
    socket.emitEvent(newOrderEvent(a, 1));
    socket.emitEvent(newOrderEvent(b, 2));
    await feed.flush();
    socket.emitEvent(newOrderEvent(late, 3));
    socket.emitEvent(statusEvent(b, 4, 'cancelled', 2));
    await feed.flush();
    const ids = () => feed.orders.get().map((o) => `${o.order_number}:${o.status}`);
    expect(ids()).toEqual([
      `${b.order_number}:cancelled`,
      `${late.order_number}:pending`,
      `${a.order_number}:pending`,
    ]);

    timers.advance(2 * MINUTE);
    await feed.flush();
    expect(ids()).toEqual([`${late.order_number}:pending`, `${a.order_number}:pending`]);
  });
});

describe('pruned orders stay pruned', () => {
  const ack = (state: OrderState, seq: number): EventEnvelope => ({
    seq,
    event_id: crypto.randomUUID(),
    type: EVENT_TYPES.ORDER_ACKNOWLEDGED,
    outlet_id: state.outlet_id,
    tenant_id: state.tenant_id,
    order_id: state.order_id,
    data: { ...state, version: state.version + 1, acknowledged_by: ['kds-late'] },
    ts: new Date(timers.time).toISOString(),
  });

  it('a late ack for a cancelled order already pruned does not store it again', async () => {
    const feed = openFeed({ keepFinishedMs: MINUTE });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(statusEvent(order, 2, 'cancelled', 2));
    await feed.flush();
    timers.advance(2 * MINUTE);
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);

    const late = ack(makeState(order, 'cancelled', 2), 3);
    socket.emitEvent(late);
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
    const reloaded = openFeed({ socket: new FakeSocket() });
    await reloaded.ready;
    expect(reloaded.orders.get()).toEqual([]);
    // The cursor still moved past the ack: the relay does not send it again.
    expect(reloaded.cursor.get()).toEqual({ since: 3, epoch: EPOCH, since_event: late.event_id });
  });

  it('an order first seen finished is shown, and kept from its own status time', async () => {
    const feed = openFeed({ keepFinishedMs: 10 * MINUTE });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    const statusAt = new Date(timers.time - 5 * MINUTE).toISOString();
    socket.emitEvent(ack({ ...makeState(order, 'completed', 4), status_at: statusAt }, 9));
    await feed.flush();
    expect(feed.orders.get().map((o) => [o.order_id, o.status])).toEqual([
      [order.order_id, 'completed'],
    ]);

    // Ten minutes after it was completed, not after this screen first heard of it.
    timers.advance(6 * MINUTE);
    await feed.flush();
    expect(feed.orders.get()).toEqual([]);
  });

  it('a pruned order the relay reopens (a recall) comes back', async () => {
    const feed = openFeed({ keepFinishedMs: MINUTE });
    await feed.ready;
    socket.emitCaughtUp({ seq: 0, epoch: EPOCH });
    const order = makeOrder();
    socket.emitEvent(newOrderEvent(order, 1));
    socket.emitEvent(statusEvent(order, 2, 'completed', 2));
    await feed.flush();
    timers.advance(2 * MINUTE);
    await feed.flush();
    socket.emitEvent(statusEvent(order, 3, 'preparing', 3));
    await feed.flush();
    expect(feed.orders.get().map((o) => o.status)).toEqual(['preparing']);
  });
});
