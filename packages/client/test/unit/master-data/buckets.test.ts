import type { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DB_NAME, openMasterDataDb } from '../../../src/master-data/masterDataDb.js';
import { BUCKET_CAPACITY } from '../../../src/master-data/productBuckets.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

/** What is stored, read with plain IndexedDB calls: buckets, and where the directory says rows are. */
async function stored(idb: IDBFactory) {
  const db = await openMasterDataDb(idb, DEFAULT_DB_NAME);
  try {
    const buckets = await db.getAll('products');
    const directory = await db.get('product_directory', 'products');
    const located = new Map(directory?.ids.map((id, i) => [id, directory.buckets[i]]));
    return { db, buckets, located, directory };
  } finally {
    db.close();
  }
}

/** Every row is in exactly one bucket of its own category, and the directory agrees. */
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

describe('products in buckets', () => {
  it('a category larger than one bucket spills into the next and reads back whole, in id order', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 40;
    for (let id = 150; id >= 1; id--) central.products.upsert({ id, category_id: id % 2 ? 1 : 2 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    const odd = await kiosk.service.getProductsByCategory(1);
    expect(odd.map((p) => p.id)).toEqual(Array.from({ length: 75 }, (_, i) => 2 * i + 1));
    expect((await kiosk.service.getProducts()).map((p) => p.id)).toEqual(
      Array.from({ length: 150 }, (_, i) => i + 1),
    );
    const { buckets } = await stored(kiosk.idb);
    expect(buckets.filter((b) => b.category_id === '1')).toHaveLength(2);
    await expectConsistent(kiosk.idb);
  });

  it('a product that changes category leaves the old one, across pages and within one page', async () => {
    const central = msw.use(new FakeCentral());
    for (let id = 1; id <= 30; id++) central.products.upsert({ id, category_id: 'food' });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    central.products.upsert({ id: 7, category_id: 'drinks' });
    central.products.upsert({ id: 8, category_id: 'drinks' });
    central.products.upsert({ id: 8, category_id: 'snacks' });
    central.products.upsert({ id: 9, category_id: 'drinks', name: 'moved' });
    central.products.upsert({ id: 9, category_id: 'food', name: 'back' });
    await kiosk.service.preFetchData();

    expect((await kiosk.service.getProductsByCategory('drinks')).map((p) => p.id)).toEqual([7]);
    expect((await kiosk.service.getProductsByCategory('snacks')).map((p) => p.id)).toEqual([8]);
    const food = await kiosk.service.getProductsByCategory('food');
    expect(food.map((p) => p.id)).not.toContain(7);
    expect(food.find((p) => p.id === 9)?.name).toBe('back');
    expect(await kiosk.service.getProducts()).toHaveLength(30);
    await expectConsistent(kiosk.idb);
  });

  it('emptied buckets are deleted, and their category fills again afterwards', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 100;
    for (let id = 1; id <= BUCKET_CAPACITY + 5; id++)
      central.products.upsert({ id, category_id: 3 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    expect((await stored(kiosk.idb)).buckets).toHaveLength(2);

    for (let id = 1; id <= BUCKET_CAPACITY + 5; id++) central.products.remove(id);
    central.products.upsert({ id: 'new', category_id: '3', is_active: true });
    await kiosk.service.preFetchData();

    expect((await kiosk.service.getProductsByCategory(3)).map((p) => p.id)).toEqual(['new']);
    const { buckets } = await stored(kiosk.idb);
    expect(buckets).toHaveLength(1);
    await expectConsistent(kiosk.idb);
  });

  it('clear() empties the directory with the buckets, so the next sync starts over cleanly', async () => {
    const central = msw.use(new FakeCentral());
    for (let id = 1; id <= 20; id++) central.products.upsert({ id, category_id: id % 2 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    await kiosk.service.clear();
    expect((await stored(kiosk.idb)).directory).toBeUndefined();
    await kiosk.service.preFetchData();

    expect(await kiosk.service.getProducts()).toHaveLength(20);
    await expectConsistent(kiosk.idb);
  });

  it('an inactive product disappears from its bucket like a deleted one', async () => {
    const central = msw.use(new FakeCentral());
    central.products.upsert({ id: 1, category_id: 1 });
    central.products.upsert({ id: 2, category_id: 1 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    central.products.upsert({ id: 1, category_id: 1, is_active: false });
    await kiosk.service.preFetchData();

    expect((await kiosk.service.getProducts()).map((p) => p.id)).toEqual([2]);
    await expectConsistent(kiosk.idb);
  });

  it('ids compare by string form: 5 and "5" are one product', async () => {
    const central = msw.use(new FakeCentral());
    central.products.upsert({ id: 5, category_id: 1, name: 'number' });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    central.products.upsert({ id: '5', category_id: 1, name: 'string' });
    await kiosk.service.preFetchData();

    expect(await kiosk.service.getProducts()).toMatchObject([{ id: '5', name: 'string' }]);
    await expectConsistent(kiosk.idb);
  });

  it('the version and updated_at indexes find every bucket holding a product changed since', async () => {
    const central = msw.use(new FakeCentral());
    central.pageSize = 200;
    for (let id = 1; id <= 150; id++) {
      central.products.upsert({ id, category_id: id % 3, updated_at: `2026-01-01T00:00:${id}` });
    }
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const before = central.products.head;
    central.products.upsert({ id: 4, category_id: 1, updated_at: '2026-02-01T00:00:00Z' });
    await kiosk.service.preFetchData();

    const db = await openMasterDataDb(kiosk.idb, DEFAULT_DB_NAME);
    try {
      const newer = await db.getAllFromIndex(
        'products',
        'version',
        IDBKeyRange.lowerBound(before, true),
      );
      expect(newer.flatMap((b) => b.items).filter((p) => (p.version ?? 0) > before)).toMatchObject([
        { id: 4 },
      ]);
      const recent = await db.getAllFromIndex(
        'products',
        'updated_at',
        IDBKeyRange.lowerBound('2026-01-15'),
      );
      expect(recent.map((b) => b.key)).toEqual(newer.map((b) => b.key));
      expect(recent).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
