/**
 * `pnpm --filter @kitchen-sync/relay bench:pg-contention`: what the gap-free per-outlet seq
 * costs on the PostgreSQL store. One node alone for reference, then three nodes (three stores with their own pools and write
 * queues, as three relays would have) publish closed-loop for a few seconds, once all into one
 * outlet (they queue on its head row) and once each into its own outlet (no shared row).
 * Prints orders/s and publish latency (submit to commit) per case; figures go to
 * docs/postgres-store.md. PostgreSQL 15 is started here (test-support/postgres.ts).
 */
import { randomUUID } from 'node:crypto';
import type { OrderState } from '@kitchen-sync/protocol';
import { startPostgres } from '../../../test-support/postgres.js';
import type { StoredEvent } from '../src/store/EventStore.js';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../src/store/postgres/postgresEventStore.js';
import { createPostgresWriteQueue } from '../src/store/postgres/postgresWriteQueue.js';
import type { WriteQueue } from '../src/store/writeQueue.js';

const NODES = 3;
const WRITERS_PER_NODE = Number(process.env.KS_BENCH_WRITERS ?? 20);
const SECONDS = Number(process.env.KS_BENCH_SECONDS ?? 4);

function publish(store: PostgresEventStore, queue: WriteQueue, outlet: string) {
  const orderId = randomUUID();
  return queue.submit(() => {
    const tsMs = Date.now();
    const state = { order_id: orderId, outlet_id: outlet, tenant_id: '1', status: 'pending' };
    const event: StoredEvent = store.append({
      outlet,
      tenant: '1',
      tsMs,
      envelope: {
        event_id: randomUUID(),
        type: 'new_order',
        outlet_id: outlet,
        tenant_id: '1',
        order_id: orderId,
        data: state as unknown as OrderState,
        ts: new Date(tsMs).toISOString(),
      },
    });
    if (store.getOrder(orderId)) throw new Error('duplicate order id');
    store.putOrder({
      orderId,
      outlet,
      tenant: '1',
      state: state as unknown as OrderState,
      createdSeq: event.envelope.seq,
      statusSeq: event.envelope.seq,
      updatedMs: tsMs,
    });
    return { result: event.envelope.seq, events: [event] };
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function runCase(url: string, nodeCount: number, outletOf: (node: number) => string) {
  const nodes = await Promise.all(
    Array.from({ length: nodeCount }, async () => {
      const store = createPostgresEventStore({ url, poolSize: 4 });
      await store.open();
      return { store, queue: createPostgresWriteQueue(store, () => undefined) };
    }),
  );
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    nodes.flatMap(({ store, queue }, n) =>
      Array.from({ length: WRITERS_PER_NODE }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          await publish(store, queue, outletOf(n));
          latencies.push(performance.now() - started);
        }
      }),
    ),
  );
  await Promise.all(nodes.map(({ store }) => store.close()));
  latencies.sort((a, b) => a - b);
  return {
    ordersPerSecond: Math.round(latencies.length / SECONDS),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
  };
}

const server = await startPostgres();
try {
  const fresh = () => server.createDatabase();
  const oneNode = await runCase(await fresh(), 1, () => '1');
  const oneOutlet = await runCase(await fresh(), NODES, () => '1');
  const ownOutlets = await runCase(await fresh(), NODES, (n) => String(n + 1));
  const setup = `${WRITERS_PER_NODE} closed-loop writers per node, ${SECONDS} s per case`;
  console.log(JSON.stringify({ setup, oneNode, oneOutlet, ownOutlets }, null, 2));
} finally {
  await server.stop();
}
