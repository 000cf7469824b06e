import { afterEach, describe, expect, it, vi } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, networkError } from './fakeCentral.js';
import { ids } from './setup.js';

const { msw, terminal } = centralSuite();
afterEach(() => vi.unstubAllGlobals());

function seed(central: FakeCentral, products = 25): void {
  for (let c = 1; c <= 3; c++) central.categories.upsert({ id: c, name: `Category ${c}` });
  for (let p = 1; p <= products; p++) {
    central.products.upsert({
      id: p,
      name: `Product ${p}`,
      price: '10000',
      category_id: (p % 3) + 1,
    });
  }
  central.promotions.upsert({ id: 'p1', name: 'Lunch', discount: 10 });
}

describe('master-data sync', () => {
  it('first sync stores every collection and the version it reached', async () => {
    const central = msw.use(new FakeCentral());
    seed(central);
    const kiosk = terminal();

    const result = await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProducts())).toEqual(ids(central.products.live()));
    expect(ids(await kiosk.service.getCategories())).toEqual([1, 2, 3]);
    expect(ids(await kiosk.service.getActivePromotions())).toEqual(['p1']);
    expect(result.versions).toEqual({ products: 25, categories: 3, promotions: 1 });
    expect(result.applied).toEqual({ products: 25, categories: 3, promotions: 1 });
    expect(kiosk.service.version.get()).toEqual(result.versions);
    expect(kiosk.service.status.get()).toMatchObject({
      state: 'synced',
      lastSync: kiosk.clock.time,
      error: null,
      stale: false,
    });
  });

  it('follows has_more page by page from each current_version', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 25);
    const kiosk = terminal();

    await kiosk.service.preFetchData();

    expect(central.sinceOf('products')).toEqual([0, 10, 20]);
    expect(await kiosk.service.getProducts()).toHaveLength(25);
  });

  it('accepts pages keyed by the collection name', async () => {
    const central = msw.use(new FakeCentral());
    central.namedKey = true;
    seed(central, 12);
    const kiosk = terminal();

    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProducts())).toEqual(ids(central.products.live()));
  });

  it('an incremental sync asks only for changes after the stored version', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 5);
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    central.products.upsert({ id: 2, name: 'Nasi goreng', price: '25000', category_id: 1 });
    central.products.upsert({ id: 6, name: 'Es teh', price: '5000', category_id: 2 });
    central.seen.length = 0;

    const result = await kiosk.service.preFetchData();

    expect(central.seen.map((r) => [r.collection, r.since])).toEqual([
      ['products', 5],
      ['categories', 3],
      ['promotions', 1],
    ]);
    expect(result.applied).toEqual({ products: 2, categories: 0, promotions: 0 });
    const products = await kiosk.service.getProducts();
    expect(products).toHaveLength(6);
    expect(products.find((p) => p.id === 2)).toMatchObject({ name: 'Nasi goreng', price: '25000' });
    expect(kiosk.service.version.get().products).toBe(7);
  });

  it('tombstones (deleted or inactive) disappear from every read', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 6);
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const before = await kiosk.service.getProductsByCategory(3);
    expect(ids(before)).toEqual([2, 5]);

    central.products.remove(2);
    central.products.upsert({ id: 5, name: 'Sold out', category_id: 3, is_active: false });
    central.categories.remove(1);
    central.promotions.upsert({ id: 'p1', name: 'Lunch', is_active: false });
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProducts())).toEqual([1, 3, 4, 6]);
    expect(await kiosk.service.getProductsByCategory(3)).toEqual([]);
    expect(ids(await kiosk.service.getCategories())).toEqual([2, 3]);
    expect(await kiosk.service.getActivePromotions()).toEqual([]);
  });

  it('resumes an interrupted sync from the last committed page: nothing skipped or duplicated', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 35);
    const kiosk = terminal();
    // Page 2 of products never arrives, on every attempt.
    central.failNext(3, networkError, { collection: 'products', since: 10 });

    const failed = kiosk.clock.drive(kiosk.service.preFetchData());

    await expect(failed).rejects.toMatchObject({ code: 'network' });
    expect(kiosk.service.version.get().products).toBe(10);
    expect(ids(await kiosk.service.getProducts())).toEqual(
      ids(central.products.live().slice(0, 10)),
    );
    expect(kiosk.service.status.get()).toMatchObject({ state: 'offline', lastSync: null });
    expect(kiosk.service.status.get().error?.code).toBe('network');

    // Meanwhile the menu changes on both sides of the cut.
    central.products.upsert({ id: 3, name: 'Changed after page 1', category_id: 1 });
    central.products.remove(15);
    central.products.upsert({ id: 36, name: 'New', category_id: 1 });
    central.seen.length = 0;

    await kiosk.service.preFetchData();

    expect(central.sinceOf('products')[0]).toBe(10);
    const stored = await kiosk.service.getProducts();
    expect(stored).toEqual(
      [...central.products.live()].sort((a, b) => Number(a.id) - Number(b.id)),
    );
    expect(kiosk.service.version.get().products).toBe(central.products.head);
  });

  it('concurrent preFetchData calls share one run', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 15);
    const kiosk = terminal();

    const first = kiosk.service.preFetchData();
    const second = kiosk.service.preFetchData();

    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(central.sinceOf('products')).toEqual([0, 10]);
  });

  it('two tabs syncing one database at once end with exactly the server state', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 3;
    seed(central, 20);
    const kiosk = terminal();
    const otherTab = kiosk.open();

    await Promise.all([kiosk.service.preFetchData(), otherTab.preFetchData()]);

    expect(await otherTab.getProducts()).toEqual(
      [...central.products.live()].sort((a, b) => Number(a.id) - Number(b.id)),
    );
    expect(kiosk.service.version.get()).toEqual(otherTab.version.get());
  });

  it('clear() empties the cache and the next sync starts from version 0', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 4);
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    await kiosk.service.clear();

    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(kiosk.service.version.get()).toEqual({ products: 0, categories: 0, promotions: 0 });
    // An empty cache is not synced.
    expect(kiosk.service.status.get()).toMatchObject({
      state: 'idle',
      lastSync: null,
      stale: true,
    });
    central.seen.length = 0;
    await kiosk.service.preFetchData();
    expect(central.sinceOf('products')).toEqual([0]);
    expect(await kiosk.service.getProducts()).toHaveLength(4);
  });
});

describe('master-data lifecycle', () => {
  it('clear() during a sync waits for it, so no page lands after the clear', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 30);
    const kiosk = terminal();

    const sync = kiosk.service.preFetchData();
    const cleared = kiosk.service.clear();
    await sync;
    await cleared;

    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(kiosk.service.version.get()).toEqual({ products: 0, categories: 0, promotions: 0 });
  });

  it('a cache cleared by another tab mid-sync is refilled from version 0, not from where it was', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 30);
    const kiosk = terminal();
    const otherTab = kiosk.open();
    let clearing: Promise<void> | null = null;
    central.override((request) => {
      // The other tab clears right after this tab's first products page was served.
      if (!clearing && request.collection === 'products' && request.since === 10) {
        clearing = otherTab.clear();
      }
      return undefined;
    });

    await kiosk.service.preFetchData();
    await clearing;

    // Whatever the interleaving, a reload finds rows and version that agree.
    const live = [...central.products.live()].sort((a, b) => Number(a.id) - Number(b.id));
    const reloaded = kiosk.open();
    const rows = await reloaded.getProducts();
    const at = reloaded.version.get().products;
    expect(clearing).not.toBeNull();
    expect([at, rows]).toEqual(at === 0 ? [0, []] : [central.products.head, live]);
    await reloaded.preFetchData();
    expect(await reloaded.getProducts()).toEqual(live);
  });

  it('a quiet refresh that races a clear in another tab reports what is stored', async () => {
    const central = msw.use(new FakeCentral());
    seed(central, 5);
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const otherTab = kiosk.open();
    await otherTab.getProducts(); // open, so its clear commits while our requests are out
    let clearing: Promise<void> | null = null;
    central.override(() => {
      clearing ??= otherTab.clear();
      return undefined;
    });

    await kiosk.service.preFetchData();
    await clearing;

    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(kiosk.service.version.get()).toEqual({ products: 0, categories: 0, promotions: 0 });
    await kiosk.service.preFetchData();
    expect(await kiosk.service.getProducts()).toHaveLength(5);
  });

  it('is created without IndexedDB (server rendering) and fails every call with storage', async () => {
    msw.use(new FakeCentral());
    vi.stubGlobal('indexedDB', undefined);
    const kiosk = terminal({ indexedDB: undefined });

    await expect(kiosk.service.getProducts()).rejects.toMatchObject({ code: 'storage' });
    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({ code: 'storage' });
    await expect(kiosk.service.clear()).rejects.toMatchObject({ code: 'storage' });
    expect(kiosk.service.status.get().error?.code).toBe('storage');
    await kiosk.service.close();
  });

  it('an unavailable IndexedDB is a storage error in status and on every call', async () => {
    msw.use(new FakeCentral());
    const kiosk = terminal({
      indexedDB: {
        open: () => {
          throw new DOMException('blocked by policy', 'SecurityError');
        },
      } as unknown as IDBFactory,
    });

    await expect(kiosk.service.getProducts()).rejects.toMatchObject({ code: 'storage' });
    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({ code: 'storage' });
    expect(kiosk.service.status.get()).toMatchObject({ state: 'error' });
    expect(kiosk.service.status.get().error?.code).toBe('storage');
  });
});
