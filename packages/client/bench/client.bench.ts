/**
 * `pnpm bench:client`: the kitchen feed and the order outbox in Node with fake-indexeddb.
 * - rebuild a feed of 5,000 orders from IndexedDB (a kitchen reopening offline);
 * - apply a 10,000-event backlog after a reconnect, until stored (target ≤ 500 ms);
 * - outbox throughput, submitted + acknowledged, against an instant-ack socket and against
 *   the real relay CLI on 127.0.0.1 (skipped with --no-relay or when the relay is not built).
 * Prints the median of `--runs` runs (default 5) per figure.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createKitchenFeed } from '../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../src/outbox/orderOutbox.js';
import { createSocketService } from '../src/socket/socketService.js';
import type { SocketService } from '../src/socket/types.js';
import { makeState } from '../test/unit/fakes/orders.js';
import { backlog, benchOrder } from './client/fixtures.js';
import { instantSocket } from './client/instantSocket.js';
import { startRelayProcess } from './client/relayProcess.js';

const FEED_ORDERS = 5_000;
const BACKLOG_EVENTS = 10_000;
const BACKLOG_TARGET_MS = 500;
const OUTBOX_ORDERS = 2_000;
const RELAY_ORDERS = 1_000;
const EPOCH = 'bench-epoch';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const withRelay = !process.argv.includes('--no-relay');

interface Row {
  figure: string;
  value: string;
  target: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function repeat(times: number, run: () => Promise<number>): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return median(results);
}

const quiet = { playSound: () => {}, notify: () => {} };

async function feedRebuildMs(): Promise<number> {
  const indexedDB = new IDBFactory();
  const socket = instantSocket();
  const seed = createKitchenFeed({ indexedDB, socket, ...quiet });
  await seed.ready;
  const orders = Array.from({ length: FEED_ORDERS }, (_, i) =>
    makeState(benchOrder(i), 'pending', 1),
  );
  socket.emitSnapshot({ orders, seq: FEED_ORDERS, epoch: EPOCH });
  await seed.flush();
  seed.stop();

  const started = performance.now();
  const feed = createKitchenFeed({ indexedDB, ...quiet });
  await feed.ready;
  const elapsed = performance.now() - started;
  if (feed.orders.get().length !== FEED_ORDERS) throw new Error('rebuild lost orders');
  feed.stop();
  return elapsed;
}

/** `frame` events per macrotask, as socket frames arrive; 0 = all in one go. */
async function backlogMs(frame: number): Promise<number> {
  const indexedDB = new IDBFactory();
  const socket = instantSocket();
  const feed = createKitchenFeed({ indexedDB, socket, ...quiet });
  await feed.ready;
  socket.emitSnapshot({ orders: [], seq: 0, epoch: EPOCH });
  await feed.flush();
  const events = backlog(BACKLOG_EVENTS, 1);

  const started = performance.now();
  for (let i = 0; i < events.length; i++) {
    socket.emitEvent(events[i]!);
    if (frame > 0 && (i + 1) % frame === 0) await new Promise((r) => setImmediate(r));
  }
  await feed.flush();
  const elapsed = performance.now() - started;
  if (feed.cursor.get().since !== BACKLOG_EVENTS) throw new Error('backlog not stored');
  feed.stop();
  return elapsed;
}

function drained(outbox: OrderOutbox): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = outbox.pending.subscribe((list) => {
      if (list.length > 0) return;
      queueMicrotask(() => unsubscribe());
      resolve();
    });
  });
}

async function outboxOrdersPerSecond(
  socket: Pick<SocketService, 'request' | 'status'>,
  count: number,
  relayUrl?: string,
  token?: string,
): Promise<number> {
  const outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    socket,
    relayUrl,
    token,
    locks: null,
    channel: null,
  });
  await outbox.ready;
  const orders = Array.from({ length: count }, (_, i) => benchOrder(i));
  const started = performance.now();
  for (const order of orders) await outbox.submit(order);
  await drained(outbox);
  const elapsed = performance.now() - started;
  outbox.stop();
  return (count / elapsed) * 1_000;
}

async function relayOrdersPerSecond(): Promise<number | null> {
  const relay = await startRelayProcess().catch((error: Error) => {
    process.stderr.write(`relay figure skipped: ${error.message}\n`);
    return null;
  });
  if (!relay) return null;
  const token = await relay.token({ role: 'pos', sub: 'bench-pos' });
  const service = createSocketService({ outletId: 1, relayUrl: relay.url, token });
  try {
    service.start();
    await new Promise<void>((resolve) => {
      const unsubscribe = service.status.subscribe((s) => {
        if (!s.localConnected) return;
        queueMicrotask(() => unsubscribe());
        resolve();
      });
    });
    return await repeat(Math.min(runs, 3), () =>
      outboxOrdersPerSecond(service, RELAY_ORDERS, relay.url, token),
    );
  } finally {
    service.stop();
    await relay.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const perSecond = (v: number) => `${Math.round(v).toLocaleString('en-US')} orders/s`;

  const rebuild = await repeat(runs, feedRebuildMs);
  rows.push({
    figure: `feed rebuild, ${FEED_ORDERS} orders from IndexedDB`,
    value: ms(rebuild),
    target: '',
  });
  const burst = await repeat(runs, () => backlogMs(0));
  rows.push({
    figure: `backlog ${BACKLOG_EVENTS} events, one burst, applied + stored`,
    value: ms(burst),
    target: `≤ ${BACKLOG_TARGET_MS} ms ${burst <= BACKLOG_TARGET_MS ? 'ok' : 'MISSED'}`,
  });
  const framed = await repeat(runs, () => backlogMs(100));
  rows.push({
    figure: `backlog ${BACKLOG_EVENTS} events, 100 per frame, applied + stored`,
    value: ms(framed),
    target: `≤ ${BACKLOG_TARGET_MS} ms ${framed <= BACKLOG_TARGET_MS ? 'ok' : 'MISSED'}`,
  });
  const instant = await repeat(runs, () => outboxOrdersPerSecond(instantSocket(), OUTBOX_ORDERS));
  rows.push({
    figure: `outbox, ${OUTBOX_ORDERS} orders, instant-ack socket`,
    value: perSecond(instant),
    target: '',
  });
  if (withRelay) {
    const relayed = await relayOrdersPerSecond();
    if (relayed !== null) {
      rows.push({
        figure: `outbox, ${RELAY_ORDERS} orders, real relay (SQLite, loopback)`,
        value: perSecond(relayed),
        target: '',
      });
    }
  }

  const width = Math.max(...rows.map((r) => r.figure.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  process.stdout.write(`kitchen-sync client bench (Node ${process.version}, median of ${runs})\n`);
  for (const row of rows) {
    process.stdout.write(
      `${row.figure.padEnd(width)}  ${row.value.padStart(valueWidth)}  ${row.target}\n`,
    );
  }
  if (burst > BACKLOG_TARGET_MS) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
