import { Queue } from 'workbox-background-sync';
import { registerRoute } from 'workbox-routing';
import { uuidv7 } from '../ids/uuidv7.js';
import { resolveEnvironment } from '../lib/environment.js';
import { registerCacheRoutes } from './cacheRoutes.js';
import { classifyResponse } from './classify.js';
import { IDEMPOTENCY_HEADER, idempotencyKeyFor } from './idempotency.js';
import { createLock } from './lock.js';
import { listenForMessages } from './messages.js';
import { createQueueNotifier } from './notifier.js';
import { defaultOrderMatch, type KitchenSyncWorkerOptions } from './options.js';
import { OrderQueueDb } from './orderQueueDb.js';
import { OrderSync, type ReplayResult } from './orderSync.js';
import { ORDER_QUEUE_NAME, type QueueStatus } from './protocol.js';
import { createRetryTimer } from './retryTimer.js';
import { defaultScope } from './scope.js';

export interface KitchenSyncWorker {
  /** Replays the order queue now (after any replay already running). */
  replay(): Promise<ReplayResult>;
  status(): Promise<QueueStatus>;
  /**
   * Workbox's queue, for `registerSync()` or tooling. Typed by what it offers here, not as
   * workbox's `Queue`: its declarations fail apps that check libraries with
   * `exactOptionalPropertyTypes` (and no `skipLibCheck`), and this type would pull them in.
   */
  readonly queue: OrderQueueHandle;
}

/** The parts of Workbox's `Queue` the worker's `queue` is documented with. */
export interface OrderQueueHandle {
  readonly name: string;
  registerSync(): Promise<void>;
  size(): Promise<number>;
}

/**
 * Installs everything kitchen-sync needs in the app's service worker: the runtime caches, the
 * order queue with its replay, and the message handlers. Call once, at the top level of the
 * worker (after `precacheAndRoute(self.__WB_MANIFEST)` if the app precaches).
 */
export function installKitchenSync(options: KitchenSyncWorkerOptions = {}): KitchenSyncWorker {
  const scope = options.scope ?? defaultScope();
  const env = resolveEnvironment({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const orderOptions = options.orders ?? {};
  const retentionMinutes = orderOptions.retentionMinutes ?? 24 * 60;
  const db = new OrderQueueDb(ORDER_QUEUE_NAME);
  const notify = createQueueNotifier(scope, db);
  const syncSupported = 'sync' in scope.registration && !orderOptions.forceSyncFallback;
  const timers = options.timers ?? env.timers;
  let retry: ((stopped: boolean) => void) | undefined;
  const orders = new OrderSync({
    db,
    lock: createLock(`kitchen-sync:${ORDER_QUEUE_NAME}`, scope.navigator?.locks),
    classify: orderOptions.classify ?? classifyResponse,
    retentionMs: retentionMinutes * 60_000,
    timeoutMs: orderOptions.timeoutMs ?? 20_000,
    answerWithinMs: orderOptions.answerWithinMs ?? 8_000,
    fetch: env.fetch,
    now: env.now,
    timers,
    randomUUID: options.randomUUID ?? (() => uuidv7()),
    onChange: notify,
    afterReplay: (stopped) => retry?.(stopped),
  });
  // Sync events are retried by the browser (we throw from onSync), but only a few times and
  // not at all where there are none: while the worker lives, a stopped run is retried here too.
  retry = createRetryTimer(() => orders.replay(), timers, env.random);

  // Workbox's queue registers the sync tag and calls onSync on sync events, or at worker start
  // where there is no Background Sync API (Safari, Firefox).
  const queue = new Queue(ORDER_QUEUE_NAME, {
    maxRetentionTime: retentionMinutes,
    forceSyncFallback: orderOptions.forceSyncFallback ?? false,
    onSync: async () => {
      const result = await orders.replay();
      // Throwing makes the browser retry the sync event later; without sync events nobody
      // would catch it, and ONLINE / SYNC_NOW / the next start replay instead.
      if (result.stopped && syncSupported) throw new Error('order-sync-queue: replay stopped');
    },
  });

  const matchOrder = orderOptions.match ?? defaultOrderMatch;
  registerRoute(
    ({ url, request, sameOrigin }) => matchOrder({ url, request, sameOrigin }),
    async ({ request, event }) => {
      let response: Response;
      try {
        response = await orders.submit(request.clone(), (work) => event.waitUntil(work));
      } catch {
        // The queue cannot store (quota, private mode): sending straight away beats losing it.
        return env.fetch(await withIdempotencyKey(request));
      }
      if (response.status === 202 && response.headers.has('X-Kitchen-Sync-Queued')) {
        await queue.registerSync();
      }
      return response;
    },
    'POST',
  );
  registerCacheRoutes(options);
  listenForMessages(scope, {
    status: () => orders.status(),
    dismissRejected: (ids) => orders.dismissRejected(ids),
    retryRejected: (id) => orders.retryRejected(id),
    replay: async () => {
      const result = await orders.replay();
      // The page asked and it failed: let the browser retry even after this worker stops.
      if (result.stopped && syncSupported) await queue.registerSync();
      return result;
    },
  });

  if (options.clientsClaim ?? true) {
    scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
  }

  return {
    replay: () => orders.replay(),
    status: () => orders.status(),
    queue,
  };
}

/** The request with the key the queue would have given it, for the direct-send fallback. */
async function withIdempotencyKey(request: Request): Promise<Request> {
  const body = await request.clone().arrayBuffer();
  const key = idempotencyKeyFor(Object.fromEntries(request.headers), body);
  if (!key || request.headers.has(IDEMPOTENCY_HEADER)) return request;
  const headers = new Headers(request.headers);
  headers.set(IDEMPOTENCY_HEADER, key);
  return new Request(request, { headers, body });
}
