import type { Timers } from '../lib/timers.js';
import type { ClassifyResponse } from './classify.js';
import type { ServiceWorkerScope } from './scope.js';

export interface RouteMatchContext {
  url: URL;
  request: Request;
  sameOrigin: boolean;
}

export type RouteMatch = (context: RouteMatchContext) => boolean;

/** A runtime cache route; `false` in `KitchenSyncWorkerOptions` leaves it out. */
export interface CacheRouteOptions {
  match?: RouteMatch | undefined;
  cacheName?: string | undefined;
  maxEntries?: number | undefined;
  maxAgeSeconds?: number | undefined;
  /** NetworkFirst only: fall back to the cache after this long without an answer. */
  networkTimeoutSeconds?: number | undefined;
}

export interface OrderQueueOptions {
  /** Which POSTs are orders; default: pathname `/api/public/order-groups/`. */
  match?: RouteMatch | undefined;
  /**
   * Default 24 h. An older order is still tried once more at the next replay; only if that
   * attempt fails does it move to the rejected list as `expired` (never dropped; resend it with
   * `RETRY_REJECTED`).
   */
  retentionMinutes?: number | undefined;
  /** One replay attempt is abandoned (and the order kept) after this long. Default 20 s. */
  timeoutMs?: number | undefined;
  /**
   * The page's POST waits at most this long for its own backend answer, then gets
   * `202 { queued: true }` (the order is on disk and will be sent). Default 8 s.
   */
  answerWithinMs?: number | undefined;
  /** What a backend answer means; default `classifyResponse`. */
  classify?: ClassifyResponse | undefined;
  /** Replay on worker start even where the Background Sync API exists. */
  forceSyncFallback?: boolean | undefined;
}

// `| undefined` where an app may pass on a value it might not have (exactOptionalPropertyTypes).
export interface KitchenSyncWorkerOptions {
  /** NetworkFirst `/api/*`: 5 min, 100 entries. */
  api?: CacheRouteOptions | false | undefined;
  /** StaleWhileRevalidate `/api/{products,categories,promotions}/`: 1 h, 200 entries. */
  masterData?: CacheRouteOptions | false | undefined;
  /** CacheFirst scripts, styles, images, fonts: 30 days, 500 entries. */
  static?: CacheRouteOptions | false | undefined;
  /** NetworkFirst page navigations, so pages open offline: 1 day, 50. `false` when you precache. */
  pages?: CacheRouteOptions | false | undefined;
  orders?: OrderQueueOptions | undefined;
  /** Take control of open pages on first install, so their first orders are queued too. Default true. */
  clientsClaim?: boolean | undefined;
  scope?: ServiceWorkerScope | undefined;
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
  timers?: Pick<Timers, 'setTimeout' | 'clearTimeout'> | undefined;
  /** Makes idempotency keys for POSTs that carry none. Default `uuidv7()`. */
  randomUUID?: (() => string) | undefined;
  /** Jitter of the replay retries where there are no sync events. */
  random?: (() => number) | undefined;
}

export type ResolvedCacheRoute = Required<Omit<CacheRouteOptions, 'networkTimeoutSeconds'>> &
  Pick<CacheRouteOptions, 'networkTimeoutSeconds'>;

const MASTER_DATA_PATH = /^\/api\/(products|categories|promotions)\//;
/** The master-data service's sync requests: a cached "nothing new" would report `synced`. */
const isMasterDataSync = (url: URL) =>
  MASTER_DATA_PATH.test(url.pathname) && url.searchParams.has('since_version');
/** The relay's HTTP API (polls, orders): live answers or none, on any origin. */
const RELAY_PATH = /^\/api\/(events|orders)$/;

export const DEFAULT_ROUTES = {
  masterData: {
    match: ({ url }) => MASTER_DATA_PATH.test(url.pathname) && !isMasterDataSync(url),
    cacheName: 'master-data-cache',
    maxEntries: 200,
    maxAgeSeconds: 60 * 60,
  },
  api: {
    // Never the relay's own endpoints: a cached poll answered while the relay was dead, and
    // the kitchen showed "polling, no error" with nothing arriving. Never a master-data sync
    // either: answered from here while central was down, the menu showed `synced` for 5 min.
    match: ({ url }) =>
      url.pathname.startsWith('/api/') && !RELAY_PATH.test(url.pathname) && !isMasterDataSync(url),
    cacheName: 'api-cache',
    maxEntries: 100,
    maxAgeSeconds: 5 * 60,
    networkTimeoutSeconds: 5,
  },
  static: {
    match: ({ request }) => ['style', 'script', 'image', 'font'].includes(request.destination),
    cacheName: 'static-cache',
    maxEntries: 500,
    maxAgeSeconds: 30 * 24 * 60 * 60,
  },
  pages: {
    match: ({ request }) => request.mode === 'navigate',
    cacheName: 'pages-cache',
    maxEntries: 50,
    maxAgeSeconds: 24 * 60 * 60,
    networkTimeoutSeconds: 5,
  },
} satisfies Record<string, ResolvedCacheRoute>;

export const DEFAULT_ORDER_PATH = '/api/public/order-groups/';

export const defaultOrderMatch: RouteMatch = ({ url }) => url.pathname === DEFAULT_ORDER_PATH;

export function resolveRoute(
  name: keyof typeof DEFAULT_ROUTES,
  option: CacheRouteOptions | false | undefined,
): ResolvedCacheRoute | null {
  if (option === false) return null;
  const defaults: ResolvedCacheRoute = DEFAULT_ROUTES[name];
  return { ...defaults, ...option };
}
