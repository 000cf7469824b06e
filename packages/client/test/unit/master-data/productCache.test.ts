import type { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DB_NAME, openMasterDataDb } from '../../../src/master-data/masterDataDb.js';
import { BUCKET_CAPACITY } from '../../../src/master-data/productBuckets.js';
import { OVERLAY_MAX, OVERLAY_PAGE_MAX } from '../../../src/master-data/productChanges.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

/** What is stored, read with plain IndexedDB calls. */
async function stored(idb: IDBFactory) {
  const db = await openMasterDataDb(idb, DEFAULT_DB_NAME);
  try {
    const buckets = await db.getAll('products');
    const changes = await db.getAll('product_changes');
    const directory = await db.get('product_directory', 'products');
    const located = new Map(directory?.ids.map((id, i) => [id, directory.buckets[i]]));
    return { buckets, changes, located, directory };
  } finally {
    db.close();
  }
}

/** Every bucketed row is in exactly one bucket of its own category, and the directory agrees. */
async function expectConsistent(idb: IDBFactory): Promise<void> {
  const { buckets, located } = await stored(idb);
  const seen = new Map<string, number>();
  for (const bucket of buckets) {
    expect(bucket.items.length).toBeGreaterThan(0);
    expect(bucket.items.length).toBeLessThanOrEqual(BUCKET_CAPACITY);
    expect(bucket.ids).toEqual(bucket.items.map((item) => String(item.id)));
    for (const item of bucket.items) {
      expect(String(item.category_id ?? '')).toBe(bucket.category_id);
      expect(seen.has(String(item.id))).toBe(false);
      seen.set(String(item.id), bucket.key);
    }
  }
  expect(located).toEqual(seen);
}

/** What a kiosk must read back: the central's live rows, by id. */
function liveIds(central: FakeCentral, category?: unknown): Array<string | number> {
  return central.products
    .live()
    .filter((row) => category === undefined || String(row.category_id) === String(category))
    .map((row) => row.id)
    .sort((a, b) => Number(a) - Number(b));
}

const ids = (rows: Array<{ id: string | number }>) => rows.map((row) => row.id);

/** 300 products in categories 1 and 2, synced in one large page: they go into buckets. */
async function bucketedKiosk() {
  const central = msw.use(new FakeCentral());
  central.pageSize = 300;
  for (let id = 300; id >= 1; id--) central.products.upsert({ id, category_id: id % 2 ? 1 : 2 });
  const kiosk = terminal();
  await kiosk.service.preFetchData();
  return { central, kiosk };
}

describe('product cache: buckets and changes', () => {
  it('a large page goes into buckets of its category, spilling past one bucket, read back in id order', async () => {
    const { central, kiosk } = await bucketedKiosk();

    expect(ids(await kiosk.service.getProductsByCategory(1))).toEqual(liveIds(central, 1));
    expect(ids(await kiosk.service.getProducts())).toEqual(liveIds(central));
    const { buckets, changes } = await stored(kiosk.idb);
    expect(changes).toEqual([]);
    expect(buckets.filter((b) => b.category_id === '1')).toHaveLength(
      Math.ceil(150 / BUCKET_CAPACITY),
    );
    await expectConsistent(kiosk.idb);
  });

  it('a small page is laid over the buckets: changed, moved, removed and new products read right', async () => {
    const { central, kiosk } = await bucketedKiosk();
    const before = (await stored(kiosk.idb)).buckets;

    central.products.upsert({ id: 7, category_id: 'drinks' });
    central.products.remove(8);
    central.products.upsert({ id: 9, category_id: 1, name: 'renamed' });
    central.products.upsert({ id: 10, category_id: 2, is_active: false });
    central.products.upsert({ id: 'new', category_id: '1' });
    await kiosk.service.preFetchData();

    const { buckets, changes } = await stored(kiosk.idb);
    expect(buckets).toEqual(before);
    expect(changes).toHaveLength(5);
    expect(ids(await kiosk.service.getProductsByCategory('drinks'))).toEqual([7]);
    const one = await kiosk.service.getProductsByCategory(1);
    expect(ids(one)).not.toContain(7);
    expect(ids(one)).not.toContain(8);
    expect(ids(one).at(-1)).toBe('new');
    expect(one.find((p) => p.id === 9)?.name).toBe('renamed');
    expect(ids(await kiosk.service.getProductsByCategory(2))).not.toContain(10);
    const all = await kiosk.service.getProducts();
    expect(all).toHaveLength(300 - 2 + 1);
    expect(new Set(ids(all)).size).toBe(all.length);
  });

  it('a large page folds the changes into the buckets, moving a product twice within it', async () => {
    const { central, kiosk } = await bucketedKiosk();
    central.products.upsert({ id: 7, category_id: 'drinks' });
    central.products.remove(8);
    await kiosk.service.preFetchData();
    expect((await stored(kiosk.idb)).changes).toHaveLength(2);

    for (let id = 11; id <= 11 + OVERLAY_PAGE_MAX; id++) {
      central.products.upsert({ id, category_id: id % 2 ? 1 : 2, name: `v2 ${id}` });
    }
    central.products.upsert({ id: 9, category_id: 'drinks' });
    central.products.upsert({ id: 9, category_id: 'snacks' });
    await kiosk.service.preFetchData();

    const { changes } = await stored(kiosk.idb);
    expect(changes).toEqual([]);
    await expectConsistent(kiosk.idb);
    for (const category of [1, 2, 'drinks', 'snacks']) {
      expect(ids(await kiosk.service.getProductsByCategory(category))).toEqual(
        liveIds(central, category),
      );
    }
    expect(ids(await kiosk.service.getProducts())).toEqual(liveIds(central));
  });

  it('changes past OVERLAY_MAX are folded by the page that would overfill them', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 100;
    const total = OVERLAY_MAX + 200;
    for (let id = 1; id <= total; id++) central.products.upsert({ id, category_id: id % 7 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    const { buckets, changes } = await stored(kiosk.idb);
    expect(changes.length).toBeLessThanOrEqual(OVERLAY_MAX);
    expect(buckets.flatMap((b) => b.items).length + changes.length).toBe(total);
    // Pages of 100 pile up until the one that would pass OVERLAY_MAX folds them all in.
    const folded = (Math.floor(OVERLAY_MAX / 100) + 1) * 100;
    expect(changes).toHaveLength(total - folded);
    await expectConsistent(kiosk.idb);
    expect(ids(await kiosk.service.getProducts())).toEqual(liveIds(central));
    expect(ids(await kiosk.service.getProductsByCategory(3))).toEqual(liveIds(central, 3));
  });

  it('emptied buckets are deleted, and their category fills again afterwards', async () => {
    const { central, kiosk } = await bucketedKiosk();
    expect((await stored(kiosk.idb)).buckets).toHaveLength(2 * Math.ceil(150 / BUCKET_CAPACITY));

    // One large page: 150 removals, then 110 new products for the emptied category.
    for (let id = 1; id <= 300; id += 2) central.products.remove(id);
    for (let id = 301; id <= 410; id++) central.products.upsert({ id, category_id: '1' });
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProductsByCategory(1))).toEqual(liveIds(central, 1));
    expect((await stored(kiosk.idb)).buckets).toHaveLength(
      Math.ceil(150 / BUCKET_CAPACITY) + Math.ceil(110 / BUCKET_CAPACITY),
    );
    await expectConsistent(kiosk.idb);
  });

  it('ids compare by string form: 5 and "5" are one product, in the changes and in the buckets', async () => {
    const { central, kiosk } = await bucketedKiosk();
    central.products.upsert({ id: '5', category_id: 1, name: 'string' });
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).filter((p) => String(p.id) === '5')).toEqual([
      expect.objectContaining({ id: '5', name: 'string' }),
    ]);

    central.pageSize = 1_000;
    for (let id = 400; id < 400 + OVERLAY_PAGE_MAX; id++) central.products.upsert({ id });
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).filter((p) => String(p.id) === '5')).toEqual([
      expect.objectContaining({ id: '5', name: 'string' }),
    ]);
    await expectConsistent(kiosk.idb);
  });

  it('clear() empties buckets, changes and directory, so the next sync starts over cleanly', async () => {
    const { central, kiosk } = await bucketedKiosk();
    central.products.upsert({ id: 7, category_id: 'drinks' });
    await kiosk.service.preFetchData();

    await kiosk.service.clear();
    expect(await stored(kiosk.idb)).toMatchObject({ buckets: [], changes: [] });
    expect((await stored(kiosk.idb)).directory).toBeUndefined();
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProducts())).toEqual(liveIds(central));
    await expectConsistent(kiosk.idb);
  });

  it('the version and updated_at indexes find every bucket holding a product changed since', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 400;
    for (let id = 1; id <= 300; id++) {
      central.products.upsert({ id, category_id: id % 3, updated_at: `2026-01-01T00:00:${id}` });
    }
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const before = central.products.head;
    for (let id = 1; id <= 300; id++) {
      const changed = id === 4 ? { updated_at: '2026-02-01T00:00:00Z' } : {};
      central.products.upsert({ id, category_id: id % 3, ...changed });
    }
    await kiosk.service.preFetchData();

    const db = await openMasterDataDb(kiosk.idb, DEFAULT_DB_NAME);
    try {
      const range = IDBKeyRange.lowerBound(before, true);
      const newer = await db.getAllFromIndex('products', 'version', range);
      expect(newer.flatMap((b) => b.items)).toHaveLength(300);
      const recent = await db.getAllFromIndex(
        'products',
        'updated_at',
        IDBKeyRange.lowerBound('2026-01-15'),
      );
      expect(recent).toHaveLength(1);
      expect(recent[0]?.ids).toContain('4');
    } finally {
      db.close();
    }
  });
});
