import { KitchenSyncError } from '../errors.js';
import { Backoff } from '../lib/backoff.js';
import {
  Disposables,
  type EnvironmentOptions,
  isHidden,
  isOnline,
  resolveEnvironment,
} from '../lib/environment.js';
import { isRetryableStatus } from '../lib/retryableStatus.js';
import { type Readable, readonly, writable } from '../store.js';
import type { CollectionMeta } from './masterDataDb.js';
import { DEFAULT_DB_NAME } from './masterDataDb.js';
import { emptyVersions, MasterDataStore } from './masterDataStore.js';
import { fetchPage, type RetryOptions } from './pageFetcher.js';
import { isTombstone, type MasterDataPage } from './pageGuard.js';
import { createStatusStore } from './statusStore.js';
import {
  type Category,
  COLLECTIONS,
  type Collection,
  type ItemId,
  type MasterDataItem,
  type MasterDataStatus,
  type MasterDataVersions,
  type Product,
  type Promotion,
  type SyncResult,
} from './types.js';

export interface MasterDataServiceOptions extends EnvironmentOptions {
  /** Origin of the central API, e.g. `https://pos.example.com`; `/api/products/` is appended. */
  baseUrl: string;
  /** IndexedDB database name; the default is the one existing kiosks already have. */
  dbName?: string | undefined;
  /** After this long without a complete sync `status.stale` turns true. Default 24 h. */
  staleAfterMs?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Called before every request; the token is sent as `Authorization: Bearer <token>`. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Rows per page to ask for (`&limit=`); absent = the server's default. */
  pageSize?: number | undefined;
  /** Per request. Default 30 s. */
  requestTimeoutMs?: number | undefined;
  /**
   * Per page: network errors, timeouts, 408/425/429/5xx. Default 4 tries, 1–30 s.
   * Network errors and timeouts are retried only while the cache is empty: with a cached
   * menu the first one ends the sync (state `offline`), so the caller serves the cache at once.
   */
  retry?: RetryOptions | undefined;
}

export interface BackgroundRefreshOptions {
  /** Default one hour. */
  intervalMs?: number | undefined;
  /**
   * A tick that failed because central could not be reached or answered 408/425/429/5xx is tried
   * again after a jittered backoff from `retryMinMs` (default 15 s) up to `retryMaxMs`
   * (default 5 min), both capped at `intervalMs`, until one succeeds.
   */
  retryMinMs?: number | undefined;
  retryMaxMs?: number | undefined;
}

export interface MasterDataService {
  readonly status: Readable<MasterDataStatus>;
  readonly version: Readable<MasterDataVersions>;
  /** Brings every collection up to date; concurrent calls share one run. */
  preFetchData(): Promise<SyncResult>;
  getProducts(): Promise<Product[]>;
  getProductsByCategory(categoryId: ItemId): Promise<Product[]>;
  getCategories(): Promise<Category[]>;
  getActivePromotions(now?: number | Date): Promise<Promotion[]>;
  /** Refreshes every `intervalMs` while online and visible; returns the stop function. */
  startBackgroundRefresh(options?: BackgroundRefreshOptions): () => void;
  /** Empties the cache (after any running sync); the next sync starts from version 0. */
  clear(): Promise<void>;
  /** Stops refreshes, aborts a running sync, closes the database. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1_000;
const HOUR_MS = 60 * 60 * 1_000;
/** The cache being cleared under a running sync more often than this is a bug, not a race. */
const MAX_RESETS = 5;

export function createMasterDataService(options: MasterDataServiceOptions): MasterDataService {
  const env = resolveEnvironment(options);
  // Without IndexedDB (server rendering, a blocked profile) every call fails with `storage`,
  // as the outbox and the feed do: constructing the service must not break an SSR page.
  const store = new MasterDataStore(env.indexedDB, options.dbName ?? DEFAULT_DB_NAME);
  const status = createStatusStore(env, options.staleAfterMs ?? DAY_MS);
  const version = writable<MasterDataVersions>(emptyVersions());
  const fetcherOptions = {
    baseUrl: options.baseUrl,
    headers: options.headers,
    getToken: options.getToken,
    pageSize: options.pageSize,
    timeoutMs: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? {},
  };
  const lifetime = new AbortController();
  const refreshes = new Disposables();
  let running: Promise<SyncResult> | null = null;
  let closed = false;

  // What this tab last read or committed. Every write re-checks it against the database, so
  // a stale value (another tab moved the cache) costs a retry, never a wrong version.
  let known: Record<Collection, CollectionMeta> | null = null;

  const publish = (meta: Record<Collection, CollectionMeta>) => {
    known = meta;
    const versions = emptyVersions();
    for (const key of COLLECTIONS) versions[key] = meta[key].version;
    version.set(versions);
    status.update({ lastSync: lastSyncOf(meta) });
    return versions;
  };

  // Show what the cache holds (versions, last sync, stale) before any sync runs.
  const loaded = store.readMeta().then(publish, (error: unknown) => {
    status.update({ state: 'error', error: asStorageError(error) });
  });

  const closedError = () => new KitchenSyncError('aborted', 'the master-data service is closed');
  const ensureOpen = () => {
    if (closed) throw closedError();
  };
  /** Reads answer from the cache alone, online or not. */
  const read = <T>(query: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(closedError()) : query();

  /** Follows one collection's pages; `meta` is kept at what this run has committed. */
  async function syncCollection(
    collection: Collection,
    meta: Record<Collection, CollectionMeta>,
    unchanged: Collection[],
    resynced: Collection[],
    retryUnreachable: boolean,
  ): Promise<number> {
    let since = meta[collection].version;
    // Ends a download started ahead when this collection stops early (error or close).
    const scope = new AbortController();
    const stop = () => scope.abort();
    lifetime.signal.addEventListener('abort', stop);
    const fetchAfter = (version: number) => {
      const page = fetchPage(
        env,
        { ...fetcherOptions, retryUnreachable },
        collection,
        version,
        scope.signal,
      );
      page.catch(() => undefined); // awaited below; not unhandled if we stop first
      return page;
    };
    let applied = 0;
    let resets = 0;
    let next = fetchAfter(since);
    try {
      for (;;) {
        const page = await next;
        if (lifetime.signal.aborted) throw new KitchenSyncError('aborted', 'sync stopped');
        if (page.wentBack) {
          resynced.push(collection);
          status.update({ state: 'resyncing' });
          const outcome = await downloadAgain(collection, since, fetchAfter);
          if (!outcome.applied) {
            // Another tab moved the cache meanwhile: go on from what it stored.
            if (++resets > MAX_RESETS) {
              throw new KitchenSyncError('storage', `${collection} cache keeps being reset`);
            }
            since = outcome.storedVersion;
            meta[collection] = { ...meta[collection], version: since };
            next = fetchAfter(since);
            continue;
          }
          meta[collection] = outcome.meta;
          version.update((v) => ({ ...v, [collection]: outcome.meta.version }));
          return outcome.rows;
        }
        if (page.items.length === 0 && page.version === since && !page.hasMore) {
          unchanged.push(collection); // nothing to write; its sync time is stored with the others
          return applied;
        }
        // The next page downloads while this one is written; it is used only if this commits.
        if (page.hasMore) next = fetchAfter(page.version);
        const outcome = await store.applyPage(collection, since, page, env.now());
        if (!outcome.applied) {
          // Another tab moved this collection (forward: its progress is ours too) or cleared
          // it: continue from what is actually stored. Only going backwards can repeat forever.
          if (outcome.storedVersion < since && ++resets > MAX_RESETS) {
            throw new KitchenSyncError('storage', `${collection} cache keeps being reset`);
          }
          since = outcome.storedVersion;
          meta[collection] = { ...meta[collection], version: since };
          next = fetchAfter(since);
          continue;
        }
        applied += page.items.length;
        meta[collection] = outcome.meta;
        since = page.version;
        version.update((v) => ({ ...v, [collection]: since }));
        if (!page.hasMore) return applied;
      }
    } finally {
      lifetime.signal.removeEventListener('abort', stop);
      scope.abort();
    }
  }

  /**
   * Central's counter went back (restored from a backup): the whole collection is downloaded
   * from version 0 into memory, then swapped in at once, so the kiosk keeps selling from the
   * old menu until the new one is complete and never shows an empty one.
   */
  async function downloadAgain(
    collection: Collection,
    storedVersion: number,
    fetchAfter: (version: number) => Promise<MasterDataPage>,
  ): Promise<
    | { applied: true; meta: CollectionMeta; rows: number }
    | { applied: false; storedVersion: number }
  > {
    const rows = new Map<string, MasterDataItem>();
    let since = 0;
    let restarts = 0;
    for (;;) {
      const page = await fetchAfter(since);
      if (lifetime.signal.aborted) throw new KitchenSyncError('aborted', 'sync stopped');
      if (page.wentBack) {
        // Restored again while we downloaded: start over, but not forever.
        if (++restarts > MAX_RESETS) {
          throw new KitchenSyncError('malformed_response', `${collection} keeps going back`);
        }
        rows.clear();
        since = 0;
        continue;
      }
      // Pages come in version order: a later row of the same id is its newer state.
      for (const item of page.items) {
        const key = String(item.id);
        rows.delete(key);
        if (!isTombstone(item)) rows.set(key, item);
      }
      since = page.version;
      if (!page.hasMore) break;
    }
    const outcome = await store.replaceCollection(
      collection,
      storedVersion,
      [...rows.values()],
      since,
      env.now(),
    );
    return outcome.applied ? { ...outcome, rows: rows.size } : outcome;
  }

  async function run(): Promise<SyncResult> {
    const applied = { products: 0, categories: 0, promotions: 0 };
    if (!isOnline(env)) {
      status.update({ state: 'offline', error: null });
      return { skipped: 'offline', versions: version.get(), applied, resynced: [] };
    }
    status.update({ state: 'syncing', error: null });
    try {
      const meta = known ? { ...known } : await store.readMeta();
      // Collections are independent: one failing does not hold back the others' pages.
      const unchanged: Collection[] = [];
      const resynced: Collection[] = [];
      const retryUnreachable = !hasCachedData(meta);
      const results = await Promise.allSettled(
        COLLECTIONS.map(async (key) => {
          applied[key] = await syncCollection(key, meta, unchanged, resynced, retryUnreachable);
        }),
      );
      const syncedAt = env.now();
      const settled = await store.markSynced(
        unchanged.map((key) => meta[key]),
        syncedAt,
      );
      for (const key of unchanged) meta[key] = { ...meta[key], synced_at: syncedAt };
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // After a failure, or a cache moved by another tab, only the database knows where
      // each collection stands.
      const versions = publish(failed || !settled ? await store.readMeta() : meta);
      if (failed) throw failed.reason;
      status.update({ state: 'synced', error: null });
      return { skipped: null, versions, applied, resynced };
    } catch (error) {
      const failure = asStorageError(error);
      const unreachable = failure.code === 'network' || failure.code === 'timeout';
      status.update({ state: unreachable ? 'offline' : 'error', error: failure });
      throw failure;
    }
  }

  function preFetchData(): Promise<SyncResult> {
    if (closed) return Promise.reject(closedError());
    if (!running) {
      running = loaded.then(run).finally(() => {
        running = null;
      });
    }
    return running;
  }

  function startBackgroundRefresh({
    intervalMs = HOUR_MS,
    retryMinMs = 15_000,
    retryMaxMs = 5 * 60_000,
  }: BackgroundRefreshOptions = {}) {
    ensureOpen();
    const own = new Disposables();
    // A failed tick is asked again sooner than the next interval: on an outlet the LAN stays
    // up while the internet is down, so no `online` event says when central is back.
    const backoff = new Backoff({
      min: Math.min(retryMinMs, intervalMs),
      max: Math.min(retryMaxMs, intervalMs),
      random: env.random,
    });
    let retry: unknown;
    const cancelRetry = () => {
      if (retry !== undefined) env.timers.clearTimeout(retry);
      retry = undefined;
    };
    let stopped = false;
    own.add(() => {
      stopped = true;
      cancelRetry();
    });
    let missed = false;
    const tick = () => {
      cancelRetry();
      if (!isOnline(env) || isHidden(env)) {
        missed = true;
        return;
      }
      missed = false;
      // Failures are already in `status`; a background tick has nobody else to tell.
      preFetchData().then(
        () => backoff.reset(),
        (error: unknown) => {
          if (closed || stopped || !worthRetrying(error)) return;
          cancelRetry();
          retry = env.timers.setTimeout(() => {
            retry = undefined;
            tick();
          }, backoff.duration());
        },
      );
    };
    const handle = env.timers.setInterval(tick, intervalMs);
    own.add(() => env.timers.clearInterval(handle));
    // A tick skipped while offline or hidden runs as soon as that ends.
    const catchUp = () => {
      if (missed) tick();
    };
    own.listen(env.window, 'online', catchUp);
    own.listen(env.document, 'visibilitychange', catchUp);
    const stop = refreshes.add(() => own.dispose());
    return () => stop();
  }

  return {
    status: status.readable,
    version: readonly(version),
    preFetchData,
    getProducts: () => read(() => store.getProducts()),
    getProductsByCategory: (id) => read(() => store.getProductsByCategory(id)),
    getCategories: () => read(() => store.getCategories()),
    getActivePromotions: (now) => {
      const at = now === undefined ? env.now() : typeof now === 'number' ? now : now.getTime();
      return read(() => store.getActivePromotions(at));
    },
    startBackgroundRefresh,
    async clear() {
      ensureOpen();
      // Let a running sync finish first, so none of its pages lands after the clear.
      await running?.catch(() => undefined);
      await store.clear();
      publish(await store.readMeta());
      // An empty cache is not `synced`: the next sync fills it.
      status.update({ state: 'idle', error: null });
    },
    async close() {
      if (closed) return;
      closed = true;
      refreshes.dispose();
      lifetime.abort();
      await running?.catch(() => undefined);
      status.dispose();
      await store.close();
    },
  };
}

/** Something was synced before: there is a menu to serve while central cannot be reached. */
function hasCachedData(meta: Record<Collection, CollectionMeta>): boolean {
  return COLLECTIONS.some((key) => meta[key].version > 0 || meta[key].synced_at !== null);
}

function lastSyncOf(meta: Record<Collection, CollectionMeta>): number | null {
  let oldest: number | null = null;
  for (const key of COLLECTIONS) {
    const at = meta[key].synced_at;
    if (at === null) return null;
    oldest = oldest === null ? at : Math.min(oldest, at);
  }
  return oldest;
}

/** Central unreachable or overloaded: asking again later may succeed. */
function worthRetrying(error: unknown): boolean {
  if (!(error instanceof KitchenSyncError)) return false;
  if (error.code === 'network' || error.code === 'timeout') return true;
  const status = error.details?.status;
  return error.code === 'http' && typeof status === 'number' && isRetryableStatus(status);
}

function asStorageError(error: unknown): KitchenSyncError {
  return error instanceof KitchenSyncError
    ? error
    : new KitchenSyncError('storage', `master-data cache: ${String(error)}`);
}
