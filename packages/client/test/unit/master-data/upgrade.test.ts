import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { KitchenSyncError } from '../../../src/errors.js';
import { DB_VERSION, DEFAULT_DB_NAME } from '../../../src/master-data/masterDataDb.js';
import { BucketSet } from '../../../src/master-data/productBuckets.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';
import { ids } from './setup.js';

const { msw, terminal } = centralSuite();

/** Creates the cache as an older release left it, then closes it. */
function createOlderDatabase(
  idb: IDBFactory,
  version: number,
  build: (db: IDBDatabase) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = idb.open(DEFAULT_DB_NAME, version);
    request.onupgradeneeded = () => build(request.result);
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error);
  });
}

/** The users' current kiosk database (schema 1, no indexes, `{ key, value }` metadata). */
function createVersion1(idb: IDBFactory): Promise<void> {
  return createOlderDatabase(idb, 1, (db) => {
    const products = db.createObjectStore('products', { keyPath: 'id' });
    const categories = db.createObjectStore('categories', { keyPath: 'id' });
    const promotions = db.createObjectStore('promotions', { keyPath: 'id' });
    const metadata = db.createObjectStore('metadata', { keyPath: 'key' });
    products.put({ id: 1, name: 'Nasi goreng', price: 25000, category_id: 1, version: 3 });
    products.put({ id: 2, name: 'Es teh', price: 5000, category_id: 2, version: 1 });
    products.put({ id: 3, name: 'Mie goreng', price: 23000, category_id: 1, version: 2 });
    categories.put({ id: 1, name: 'Makanan', version: 1 });
    categories.put({ id: 2, name: 'Minuman', version: 1 });
    promotions.put({ id: 9, name: 'Promo', start_date: '2026-01-01', end_date: '2026-12-31' });
    promotions.put({ id: 10, name: 'Old', start_date: '2025-01-01', end_date: '2025-01-31' });
    promotions.put({ id: 11, name: 'Garbled', start_date: 'soon' });
    metadata.put({ key: 'products_version', value: 42 });
    metadata.put({ key: 'last_sync', value: '2026-01-10T10:00:00Z' });
  });
}

/** The first release of this library: one row per product, sync versions per collection. */
function createVersion2(idb: IDBFactory): Promise<void> {
  return createOlderDatabase(idb, 2, (db) => {
    const products = db.createObjectStore('products', { keyPath: 'id' });
    for (const index of ['category_id', 'version', 'updated_at'])
      products.createIndex(index, index);
    db.createObjectStore('categories', { keyPath: 'id' });
    const promotions = db.createObjectStore('promotions', { keyPath: 'id' });
    promotions.createIndex('starts_at', '_ks_start');
    promotions.createIndex('ends_at', '_ks_end');
    const metadata = db.createObjectStore('metadata', { keyPath: 'key' });
    for (let id = 1; id <= 100; id++) {
      products.put({
        id,
        name: `Product ${id}`,
        category_id: id % 2 ? 'food' : 'drinks',
        version: id,
      });
    }
    metadata.put({ key: 'products', version: 100, synced_at: 1_000 });
    metadata.put({ key: 'categories', version: 0, synced_at: 1_000 });
    metadata.put({ key: 'promotions', version: 0, synced_at: 1_000 });
  });
}

/**
 * Version 3 as the releases before 8332aa3 left it: products in buckets with their directory,
 * but no `product_changes` store (added later without a version bump).
 */
/** Central at the 40 products the version-3 cache below holds, then one price change at 41. */
function centralAfterVersion3(central: FakeCentral): void {
  for (let id = 1; id <= 40; id++) {
    central.products.upsert({ id, name: `P${id}`, category_id: (id % 3) + 1 });
  }
  central.products.upsert({ id: 5, name: 'P5 new', category_id: 3 });
}

function createVersion3WithoutChanges(idb: IDBFactory, version = 3): Promise<void> {
  return createOlderDatabase(idb, version, (db) => {
    const products = db.createObjectStore('products', { keyPath: 'key' });
    for (const index of ['category_id', 'version', 'updated_at'])
      products.createIndex(index, index);
    const directory = db.createObjectStore('product_directory', { keyPath: 'key' });
    db.createObjectStore('categories', { keyPath: 'id' });
    const promotions = db.createObjectStore('promotions', { keyPath: 'id' });
    promotions.createIndex('starts_at', '_ks_start');
    promotions.createIndex('ends_at', '_ks_end');
    const metadata = db.createObjectStore('metadata', { keyPath: 'key' });
    const buckets = new BucketSet();
    for (let id = 1; id <= 40; id++) {
      buckets.upsert({ id, name: `P${id}`, category_id: (id % 3) + 1, version: id });
    }
    const { put, directory: written } = buckets.changed();
    for (const bucket of put) products.put(bucket);
    directory.put(written);
    metadata.put({ key: 'products', version: 40, synced_at: 1_000 });
    metadata.put({ key: 'categories', version: 0, synced_at: 1_000 });
    metadata.put({ key: 'promotions', version: 0, synced_at: 1_000 });
  });
}

describe('schema upgrade', () => {
  it('opens a version-3 cache from before product_changes: rows and versions kept, sync and clear work', async () => {
    const central = msw.use(new FakeCentral());
    const idb = new IDBFactory();
    await createVersion3WithoutChanges(idb);
    const kiosk = terminal({}, idb);

    expect(ids(await kiosk.service.getProducts())).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(await kiosk.service.getProductsByCategory(2)).toHaveLength(14);
    expect(kiosk.service.version.get()).toEqual({ products: 40, categories: 0, promotions: 0 });
    expect(await kiosk.idb.databases()).toContainEqual({
      name: DEFAULT_DB_NAME,
      version: DB_VERSION,
    });

    // A small page: the kind written to product_changes, the store this cache lacked.
    centralAfterVersion3(central);
    await kiosk.service.preFetchData();
    expect(central.sinceOf('products')).toEqual([40]);
    expect((await kiosk.service.getProducts()).find((p) => p.id === 5)?.name).toBe('P5 new');

    await kiosk.service.clear();
    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(kiosk.service.status.get().error).toBeNull();
  });

  it('a cache missing a store at the current version fails reads, sync and clear with storage', async () => {
    centralAfterVersion3(msw.use(new FakeCentral()));
    const idb = new IDBFactory();
    await createVersion3WithoutChanges(idb, DB_VERSION);
    const kiosk = terminal({}, idb);

    const failures = await Promise.all([
      kiosk.service.getProducts().catch((error: unknown) => error),
      kiosk.service.getProductsByCategory(1).catch((error: unknown) => error),
      kiosk.service.preFetchData().catch((error: unknown) => error),
      kiosk.service.clear().catch((error: unknown) => error),
    ]);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(KitchenSyncError);
      expect((failure as KitchenSyncError).code).toBe('storage');
    }
  });

  it('opens a version-2 cache with every product regrouped and its sync versions kept', async () => {
    const central = msw.use(new FakeCentral());
    // Central at the version the cache stands at (a central behind it makes the kiosk resync).
    for (let p = 1; p <= 100; p++) central.products.upsert({ id: p, category_id: 'food' });
    const idb = new IDBFactory();
    await createVersion2(idb);
    const kiosk = terminal({}, idb);

    const products = await kiosk.service.getProducts();
    expect(products.map((p) => p.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(products[0]).toEqual({ id: 1, name: 'Product 1', category_id: 'food', version: 1 });
    expect(await kiosk.service.getProductsByCategory('drinks')).toHaveLength(50);
    expect(kiosk.service.version.get()).toEqual({ products: 100, categories: 0, promotions: 0 });

    await kiosk.service.preFetchData();
    expect(central.sinceOf('products')).toEqual([100]);
  });

  it('opens a version-1 cache at the current version with every row kept and the new indexes working', async () => {
    const central = msw.use(new FakeCentral());
    const idb = new IDBFactory();
    await createVersion1(idb);
    const kiosk = terminal({}, idb);

    expect(ids(await kiosk.service.getProducts())).toEqual([1, 2, 3]);
    expect(ids(await kiosk.service.getProductsByCategory(1))).toEqual([1, 3]);
    expect(ids(await kiosk.service.getCategories())).toEqual([1, 2]);
    expect(ids(await kiosk.service.getActivePromotions(new Date(2026, 5, 1)))).toEqual([9, 11]);
    expect((await kiosk.service.getActivePromotions(new Date(2026, 5, 1)))[0]).toEqual({
      id: 9,
      name: 'Promo',
      start_date: '2026-01-01',
      end_date: '2026-12-31',
    });
    const databases = await kiosk.idb.databases();
    expect(databases).toContainEqual({ name: DEFAULT_DB_NAME, version: DB_VERSION });

    // Version-1 versions counted per row and cannot resume: one full refetch from 0.
    expect(kiosk.service.version.get()).toEqual({ products: 0, categories: 0, promotions: 0 });
    central.products.upsert({ id: 1, name: 'Nasi goreng spesial', category_id: 1 });
    central.products.upsert({ id: 2, name: 'Es teh', category_id: 2 });
    central.products.remove(3);
    await kiosk.service.preFetchData();
    expect(central.sinceOf('products')).toEqual([0]);
    expect(ids(await kiosk.service.getProductsByCategory(1))).toEqual([1]);
    expect((await kiosk.service.getProducts()).find((p) => p.id === 1)?.name).toBe(
      'Nasi goreng spesial',
    );
  });

  it('a fresh database is created at the current version', async () => {
    msw.use(new FakeCentral());
    const kiosk = terminal();

    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(await kiosk.idb.databases()).toEqual([{ name: DEFAULT_DB_NAME, version: DB_VERSION }]);
  });

  it('another tab upgrading the schema is not blocked by an open connection', async () => {
    msw.use(new FakeCentral());
    const kiosk = terminal({ dbName: 'tabs' });
    await kiosk.service.getProducts();

    const upgraded = await new Promise<number>((resolve, reject) => {
      const request = kiosk.idb.open('tabs', DB_VERSION + 1);
      request.onsuccess = () => {
        resolve(request.result.version);
        request.result.close();
      };
      request.onerror = () => reject(request.error);
    });

    expect(upgraded).toBe(DB_VERSION + 1);
  });
});
