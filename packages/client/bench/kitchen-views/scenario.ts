import type { OrderState, SnapshotMessage } from '@kitchen-sync/protocol';
import { createKitchenFeed, type FeedSocket } from '../../src/feed/index.js';
import type { KitchenOrder } from '../../src/feed/types.js';
import {
  createAllDayCounts,
  createExpoView,
  createStationView,
  TicketBoard,
} from '../../src/feed/views/index.js';

export interface ScenarioOptions {
  tickets: number;
  linesPerTicket: number;
  events: number;
  dbName: string;
}

export interface Figures {
  /** One event (one line bumped) through the board, 3 station views, expo and 4 all-day counts. */
  eventP50Ms: number;
  eventP99Ms: number;
  eventMaxMs: number;
  /** A new feed on the stored database: IndexedDB load until every view and count is built. */
  reloadMs: number;
  /** Of which: building the views and counts from the loaded orders. */
  viewsBuildMs: number;
}

const STATIONS = ['grill', 'wok', 'fry'];
const MODIFIERS = [[], ['pedas'], ['tanpa bawang'], ['pedas', 'extra telur']];

function makeOrders(options: ScenarioOptions): OrderState[] {
  const start = Date.UTC(2026, 0, 1, 12);
  return Array.from({ length: options.tickets }, (_, t) => {
    const orderId = `0190a5b2-0000-7000-8000-${String(t).padStart(12, '0')}`;
    const created = new Date(start + t * 1000).toISOString();
    return {
      order_id: orderId,
      order_number: `A-${t}`,
      outlet_id: 1,
      tenant_id: 1,
      status: 'pending',
      priority: t % 17 === 0 ? 'rush' : 'normal',
      total_amount: '100000',
      created_at: created,
      version: 1,
      items: Array.from({ length: options.linesPerTicket }, (_, i) => ({
        line_id: `${orderId}:${i}`,
        product_id: (t * 7 + i) % 40,
        name: `Dish ${(t * 7 + i) % 40}`,
        quantity: 1 + (i % 2),
        station: STATIONS[i % STATIONS.length],
        course: i < 4 ? 1 : 2,
        modifiers: MODIFIERS[(t + i) % MODIFIERS.length],
        status: i >= 4 && t % 5 === 0 ? 'held' : 'pending',
        version: 1,
        status_at: created,
      })),
    } as OrderState;
  });
}

/** A socket that only hands the feed one snapshot. */
function snapshotSocket(orders: OrderState[]): FeedSocket & { emit(): void } {
  const listeners = new Map<string, (message: SnapshotMessage) => void>();
  return {
    on: ((type: string, fn: (message: SnapshotMessage) => void) => {
      listeners.set(type, fn);
      return () => listeners.delete(type);
    }) as FeedSocket['on'],
    emit: () => listeners.get('sync:snapshot')?.({ orders, seq: orders.length, epoch: 'bench' }),
  };
}

function buildViews(board: TicketBoard) {
  const stations = STATIONS.map((station) => createStationView(board, { stations: [station] }));
  const expo = createExpoView(board);
  const counts = [...stations.map((view) => createAllDayCounts(view)), createAllDayCounts(expo)];
  return { stations, expo, counts };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Stores the tickets, reloads them into a new feed with views, then bumps lines one by one. */
export async function runScenario(options: ScenarioOptions): Promise<Figures> {
  const orders = makeOrders(options);
  const seed = snapshotSocket(orders);
  const seeding = createKitchenFeed({ socket: seed, dbName: options.dbName, batchMs: 0 });
  await seeding.ready;
  seed.emit();
  await seeding.flush();
  seeding.stop();

  const reloadStart = performance.now();
  const feed = createKitchenFeed({ dbName: options.dbName });
  await feed.ready;
  const buildStart = performance.now();
  const board = new TicketBoard();
  const views = buildViews(board);
  board.sync(feed.orders.get());
  const reloadEnd = performance.now();
  if (views.expo.get().length !== options.tickets) throw new Error('expo view is incomplete');

  // The feed publishes its whole list, rebuilt, on each burst: the board gets the same.
  let current: KitchenOrder[] = feed.orders.get().slice();
  const times: number[] = [];
  for (let e = 0; e < options.events; e++) {
    const index = (e * 97) % current.length;
    const order = current[index] as KitchenOrder;
    const line = e % options.linesPerTicket;
    const items = order.items.map((item, i) =>
      i === line && (item as { status?: string }).status === 'pending'
        ? { ...item, status: 'ready', version: ((item as { version?: number }).version ?? 1) + 1 }
        : item,
    );
    const changed = { ...order, items, version: order.version + 1 };
    current = current.map((o, i) => (i === index ? changed : { ...o }));
    const start = performance.now();
    board.sync(current);
    times.push(performance.now() - start);
  }
  feed.stop();
  for (const view of [...views.stations, views.expo]) view.stop();
  for (const count of views.counts) count.stop();
  times.sort((a, b) => a - b);
  return {
    eventP50Ms: percentile(times, 50),
    eventP99Ms: percentile(times, 99),
    eventMaxMs: times[times.length - 1] ?? NaN,
    reloadMs: reloadEnd - reloadStart,
    viewsBuildMs: reloadEnd - buildStart,
  };
}
