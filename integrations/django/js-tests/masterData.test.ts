import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { createMasterDataService, type MasterDataService } from '@kitchen-sync/client/master-data';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DjangoStack } from './harness/djangoStack.js';

interface LiveProduct {
  id: number;
  price: string;
  category_id: number;
}

let stack: DjangoStack;
let service: MasterDataService;
const requested: string[] = [];

beforeAll(async () => {
  stack = await new DjangoStack().start();
  await stack.control('seed-products/', { count: 2000, categories: 12 });
  service = createMasterDataService({
    baseUrl: stack.url,
    indexedDB: new IDBFactory(),
    pageSize: 300,
    fetch: (input, init) => {
      requested.push(String(input));
      return fetch(input, init);
    },
  });
});

afterAll(async () => {
  await service?.close();
  await stack?.stop();
});

async function expectSameAsDjango(): Promise<void> {
  const { items } = await stack.control<{ items: LiveProduct[] }>('live-products/');
  const cached = await service.getProducts();
  const view = (p: { id: unknown; price?: unknown; category_id?: unknown }) => ({
    id: p.id,
    price: p.price,
    category_id: p.category_id,
  });
  expect(cached.map(view).sort((a, b) => Number(a.id) - Number(b.id))).toEqual(items);
  const byCategory = await service.getProductsByCategory(items[0]!.category_id);
  expect(byCategory.map((p) => p.id).sort((a, b) => Number(a) - Number(b))).toEqual(
    items.filter((p) => p.category_id === items[0]!.category_id).map((p) => p.id),
  );
}

describe('master data from Django (daphne + SQLite)', () => {
  it('syncs 2,000 products over pages, then converges exactly after changes and deletions', async () => {
    const first = await service.preFetchData();
    expect(first.versions.products).toBe(2000);
    expect(requested.filter((url) => url.includes('/api/products/'))).toHaveLength(7);
    await expectSameAsDjango();

    // save(update_fields=...), QuerySet.update(is_active=False) and QuerySet.delete(): each
    // must reach the cache (the sketches lost the first and the last silently).
    await stack.control('change-products/', {
      reprice: [1, 2, 3, 500],
      deactivate: [10, 11],
      delete: [20, 21, 22, 1999],
    });
    requested.length = 0;
    const second = await service.preFetchData();
    expect(second.versions.products).toBe(2010);
    expect(requested.filter((url) => url.includes('/api/products/'))).toEqual([
      `${stack.url}/api/products/?since_version=2000&limit=300`,
    ]);
    await expectSameAsDjango();
    expect((await service.getProducts()).map((p) => p.id)).not.toContain(20);
  });

  it('follows central restored from a backup: downloads again and ends at what Django has', async () => {
    await service.preFetchData();
    const database = join(stack.dir, 'db.sqlite3');
    const copy = (from: string, to: string) =>
      stack.python(
        `import sqlite3\nsource = sqlite3.connect(${JSON.stringify(from)})\n` +
          `target = sqlite3.connect(${JSON.stringify(to)})\nsource.backup(target)\n` +
          'target.close()\nsource.close()',
      );
    copy(database, `${database}.backup`); // the nightly backup
    await stack.control('change-products/', { reprice: [5, 6, 7] });
    const synced = await service.preFetchData();

    copy(`${database}.backup`, database); // the disk fails; the backup is restored
    await stack.control('change-products/', { reprice: [8] }); // a version the kiosk passed
    const after = await service.preFetchData();

    expect(after.resynced).toEqual(['products']);
    expect(after.versions.products).toBeLessThan(synced.versions.products);
    expect(service.status.get().state).toBe('synced');
    await expectSameAsDjango();
  });
});
