import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst, StaleWhileRevalidate } from 'workbox-strategies';
import type { KitchenSyncWorkerOptions, ResolvedCacheRoute } from './options.js';
import { resolveRoute } from './options.js';

/**
 * The runtime caches. Order matters: Workbox takes the first match, and master data is also
 * under `/api/`, so it is registered before the NetworkFirst `/api/*` route.
 */
export function registerCacheRoutes(options: KitchenSyncWorkerOptions): void {
  const masterData = resolveRoute('masterData', options.masterData);
  if (masterData) register(masterData, new StaleWhileRevalidate(strategyOptions(masterData)));
  const api = resolveRoute('api', options.api);
  if (api) register(api, new NetworkFirst(strategyOptions(api)));
  const pages = resolveRoute('pages', options.pages);
  if (pages) register(pages, new NetworkFirst(strategyOptions(pages)));
  const statics = resolveRoute('static', options.static);
  if (statics) register(statics, new CacheFirst(strategyOptions(statics)));
}

function register(
  route: ResolvedCacheRoute,
  strategy: CacheFirst | NetworkFirst | StaleWhileRevalidate,
): void {
  registerRoute(
    ({ url, request, sameOrigin }) => route.match({ url, request, sameOrigin }),
    strategy,
    'GET',
  );
}

function strategyOptions(route: ResolvedCacheRoute) {
  return {
    cacheName: route.cacheName,
    plugins: [
      new ExpirationPlugin({
        maxEntries: route.maxEntries,
        maxAgeSeconds: route.maxAgeSeconds,
        purgeOnQuotaError: true,
      }),
    ],
    ...(route.networkTimeoutSeconds ? { networkTimeoutSeconds: route.networkTimeoutSeconds } : {}),
  };
}
