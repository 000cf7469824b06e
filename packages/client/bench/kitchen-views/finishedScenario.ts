import type { EventEnvelope, OrderState } from '@kitchen-sync/protocol';
import { createKitchenFeed, type FeedSocket } from '../../src/feed/index.js';
import {
  createAllDayCounts,
  createExpoView,
  createStationView,
  TicketBoard,
} from '../../src/feed/views/index.js';

export interface FinishedScenarioOptions {
  /** Completed orders the feed holds for recall. */
  finished: number;
  open: number;
  /** New orders timed, one at a time. */
  events: number;
  dbName: string;
}

export interface FinishedFigures {
  /** A new order from the socket to the expo view: applied, published, board and views. */
  newOrderP50Ms: number;
  newOrderP90Ms: number;
  newOrderMaxMs: number;
}

const START = Date.UTC(2026, 0, 1, 12);
const STATIONS = ['grill', 'wok', 'fry'];

function order(n: number, status: OrderState['status'], version: number): OrderState {
  const orderId = `0190a5b2-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const created = new Date(START + n * 1000).toISOString();
  return {
    order_id: orderId,
    order_number: `F-${n}`,
    outlet_id: 1,
    tenant_id: 1,
    status,
    total_amount: '100000',
    created_at: created,
    version,
    items: STATIONS.map((station, i) => ({
      line_id: `${orderId}:${i}`,
      product_id: i,
      name: `Dish ${i}`,
      quantity: 1,
      station,
      status: status === 'completed' ? 'ready' : 'pending',
      version,
      status_at: created,
    })),
  } as OrderState;
}

function envelope(state: OrderState, seq: number): EventEnvelope {
  return {
    seq,
    event_id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    type: state.status === 'pending' ? 'new_order' : 'order_status_changed',
    outlet_id: 1,
    tenant_id: 1,
    order_id: state.order_id,
    data: state,
    ts: new Date(START).toISOString(),
  } as EventEnvelope;
}

/** A socket the scenario drives: a caught_up, then one live event at a time. */
function liveSocket(): FeedSocket & { event(e: EventEnvelope): void; caughtUp(): void } {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  return {
    on: ((type: string, fn: (...args: unknown[]) => void) => {
      listeners.set(type, fn);
      return () => listeners.delete(type);
    }) as FeedSocket['on'],
    event: (e) => listeners.get('event')?.(e, 'local'),
    caughtUp: () => listeners.get('sync:caught_up')?.({ seq: 0, epoch: 'bench' }),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * A screen holding `finished` completed orders (as the demo kitchen does for 30 minutes) and
 * `open` open ones, with a board, three station views, expo and their all-day counts; then
 * new orders one at a time, each timed from the socket until expo shows it.
 */
export async function runFinishedScenario(
  options: FinishedScenarioOptions,
): Promise<FinishedFigures> {
  const socket = liveSocket();
  const feed = createKitchenFeed({
    socket,
    dbName: options.dbName,
    keepFinishedMs: 60 * 60_000,
    alerts: { sound: false, notification: false },
  });
  await feed.ready;
  const board = new TicketBoard();
  const stations = STATIONS.map((station) => createStationView(board, { stations: [station] }));
  const expo = createExpoView(board);
  const counts = [...stations.map((view) => createAllDayCounts(view)), createAllDayCounts(expo)];
  const disconnect = board.connect(feed.orders);
  socket.caughtUp();
  let seq = 0;
  let n = 0;
  for (let i = 0; i < options.finished; i++) {
    n++;
    socket.event(envelope(order(n, 'pending', 1), ++seq));
    socket.event(envelope(order(n, 'completed', 2), ++seq));
  }
  for (let i = 0; i < options.open; i++) {
    n++;
    socket.event(envelope(order(n, 'pending', 1), ++seq));
  }
  await feed.flush();

  const times: number[] = [];
  for (let e = 0; e < options.events; e++) {
    n++;
    const next = order(n, 'pending', 1);
    let shownAt = 0;
    const unwatch = expo.subscribe((list) => {
      if (!shownAt && list.some((entry) => entry.ticket.order_id === next.order_id)) {
        shownAt = performance.now();
      }
    });
    const start = performance.now();
    socket.event(envelope(next, ++seq));
    await feed.flush();
    unwatch();
    times.push(shownAt - start);
  }
  disconnect();
  for (const count of counts) count.stop();
  for (const view of [...stations, expo]) view.stop();
  feed.stop();
  times.sort((a, b) => a - b);
  return {
    newOrderP50Ms: percentile(times, 50),
    newOrderP90Ms: percentile(times, 90),
    newOrderMaxMs: times[times.length - 1] ?? NaN,
  };
}
