/**
 * A kitchen tablet moved to another tenant (or outlet) keeps nothing of the one it served: not
 * its orders in IndexedDB (guest names and phone numbers), not its relay token in the cached
 * outlet settings or in the service worker's copy of central's answer.
 */

const DB_PREFIX = /^kitchen-sync-demo-kitchen-(outbox-)?/;
/** The settings cache key (`kitchen-sync:outlet-settings:1?tenant=2`) or central's URL. */
const SETTINGS = /(?:outlet-settings:|\/api\/tenants\/outlets\/)([^/?]+)\/?\?(.*)$/;
const LOCK_PREFIX = 'kitchen-sync-demo:kitchen:';
/** The service worker's NetworkFirst cache of central's `/api/*` answers. */
const API_CACHE = 'api-cache';

/** Whose stores a kitchen page of this outlet and tenant opens. */
export const tenantKey = (outletId: string | number, tenant: string) => `${outletId}-${tenant}`;

/** A kitchen database (feed or outbox, any screen) of none of the `kept` outlets-and-tenants. */
export function isOtherTenantsDb(name: string, kept: string[]): boolean {
  if (!DB_PREFIX.test(name)) return false;
  const rest = name.replace(DB_PREFIX, '');
  return !kept.some(
    (key) => rest === key || rest === `${key}-expo` || rest.startsWith(`${key}-station-`),
  );
}

/** Cached outlet settings (a storage key or central's URL) of another tenant: they hold its token. */
export function isOtherTenantsSettings(keyOrUrl: string, kept: string[]): boolean {
  const match = SETTINGS.exec(keyOrUrl);
  const tenant = match && new URLSearchParams(match[2]).get('tenant');
  return !!tenant && !kept.includes(tenantKey(decodeURIComponent(match[1] ?? ''), tenant));
}

/**
 * Deletes what other tenants' kitchen pages left on this browser, except those still open in
 * another tab (each page holds a Web Lock for its tenant; pages that are not a secure context
 * have no Web Locks, and then a tablet is taken to serve one tenant at a time).
 */
export async function forgetOtherTenants(outletId: number, tenant: string): Promise<void> {
  const own = tenantKey(outletId, tenant);
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  // Held from before the look at the others' until the page goes, so theirs see it too.
  await new Promise<void>((granted) => {
    if (!locks) return granted();
    locks.request(`${LOCK_PREFIX}${own}`, { mode: 'shared' }, () => {
      granted();
      return new Promise(() => {});
    });
  });
  const held = (await locks?.query())?.held ?? [];
  const kept = [own];
  for (const lock of held) {
    if (lock.name?.startsWith(LOCK_PREFIX)) kept.push(lock.name.slice(LOCK_PREFIX.length));
  }
  const databases = (await indexedDB.databases?.()) ?? [];
  await Promise.all(
    databases
      .filter((db) => db.name && isOtherTenantsDb(db.name, kept))
      .map((db) => deleteDatabase(db.name!)),
  );
  for (const key of Object.keys(localStorage)) {
    if (isOtherTenantsSettings(key, kept)) localStorage.removeItem(key);
  }
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(API_CACHE);
  for (const request of await cache.keys()) {
    if (isOtherTenantsSettings(request.url, kept)) await cache.delete(request);
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    // Blocked: a page still has it open; it goes once that one closes.
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
