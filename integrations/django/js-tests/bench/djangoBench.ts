// `pnpm bench:django`: the client against daphne + Redis + integrations/django, on loopback.
// 1. broadcast → client callback: a Django view calls broadcast_order_event (channels_redis),
//    the kitchen_sync consumer forwards it, the socket service (central mode, Node `ws`)
//    calls its listener. Measured from the moment the bench sends the POST that makes the
//    view broadcast, one event at a time, 200 events after 20 of warm-up.
// 2. master data: initial sync of 10,000 products from the VersionedListView (server's
//    default page, 2,000), stored by the master-data service in fake-indexeddb (Node).
import 'fake-indexeddb/auto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createSocketService,
  loadOutletSettings,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import { createMasterDataService } from '@kitchen-sync/client/master-data';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { WebSocket } from 'ws';
import { centralOrder } from '../harness/centralOrder.js';
import { DjangoStack } from '../harness/djangoStack.js';
import { waitFor } from '../harness/waitFor.js';

const EVENTS = 200;
const WARMUP = 20;
const PRODUCTS = 10_000;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const round = (n: number) => Math.round(n * 100) / 100;

async function broadcastLatency(stack: DjangoStack) {
  const settings = await loadOutletSettings({
    apiUrl: stack.url,
    outletId: 1,
    query: { device: 'bench-pos' },
    storage: null,
  });
  const service = createSocketService({
    ...socketOptionsFromSettings(settings),
    WebSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
  });
  const arrived = new Map<string, number>();
  service.on('event', (event: EventEnvelope) => {
    if (event.order_id) arrived.set(event.order_id, performance.now());
  });
  service.start();
  await waitFor(() => service.status.get().centralConnected, 10_000, 'central socket');
  const latencies: number[] = [];
  const answered: number[] = [];
  try {
    for (let i = 0; i < WARMUP + EVENTS; i += 1) {
      const order = centralOrder(1);
      const orderId = order.order_id;
      const sent = performance.now();
      await stack.control('broadcast/', { order });
      const answer = performance.now() - sent;
      await waitFor(() => arrived.has(orderId), 5_000, `event ${i}`);
      if (i >= WARMUP) {
        latencies.push((arrived.get(orderId) ?? Number.NaN) - sent);
        answered.push(answer);
      }
    }
  } finally {
    service.stop();
  }
  latencies.sort((a, b) => a - b);
  answered.sort((a, b) => a - b);
  return {
    events: EVENTS,
    // The view's own HTTP answer, for scale: the event often arrives before it.
    view_answer_p50_ms: round(quantile(answered, 0.5)),
    p50_ms: round(quantile(latencies, 0.5)),
    p99_ms: round(quantile(latencies, 0.99)),
    max_ms: round(latencies[latencies.length - 1] ?? Number.NaN),
  };
}

async function masterDataSync(stack: DjangoStack) {
  await stack.control('seed-products/', { count: PRODUCTS, categories: 20 });
  const service = createMasterDataService({ baseUrl: stack.url, indexedDB: new IDBFactory() });
  try {
    const started = performance.now();
    const result = await service.preFetchData();
    const seconds = (performance.now() - started) / 1000;
    const stored = (await service.getProducts()).length;
    if (stored !== PRODUCTS) throw new Error(`stored ${stored} products, expected ${PRODUCTS}`);
    return {
      products: PRODUCTS,
      version: result.versions.products,
      seconds: round(seconds),
      products_per_s: Math.round(PRODUCTS / seconds),
    };
  } finally {
    await service.close();
  }
}

const stack = await new DjangoStack().start();
try {
  const load = loadavg()[0];
  const broadcast = await broadcastLatency(stack);
  const masterData = await masterDataSync(stack);
  const result = {
    date: new Date().toISOString(),
    load_average_1m_at_start: round(load ?? 0),
    broadcast_to_callback: broadcast,
    master_data_initial_sync: masterData,
  };
  console.log(JSON.stringify(result, null, 2));
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.json`, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stack.stop();
}
