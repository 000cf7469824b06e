import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterDataApiServer } from '../../bench/master-data/apiServer.js';
import type {} from '../../bench/master-data/browserEntry.js';
import { TestBrowser } from './harness.js';

const ENTRY = fileURLToPath(new URL('../../bench/master-data/browserEntry.ts', import.meta.url));

let server: MasterDataApiServer;
let browser: TestBrowser;

beforeEach(async () => {
  browser = await TestBrowser.launch();
});

async function startServer(products: number, pageSize: number): Promise<void> {
  server = await MasterDataApiServer.start({ products, categories: 3, pageSize, script: ENTRY });
}

afterEach(async () => {
  await browser?.close();
  await server?.close();
});

async function openKiosk(): Promise<Page> {
  const page = await browser.open(`${server.origin}/`);
  await page.waitForFunction(() => 'masterData' in globalThis, null, { timeout: 15_000 });
  await page.evaluate((baseUrl) => {
    Object.assign(globalThis, {
      service: globalThis.masterData.createMasterDataService({ baseUrl, dbName: 'kiosk' }),
    });
  }, server.origin);
  return page;
}

/** Runs `fn` against the page's service; the function is serialized into the page. */
function withService<T>(page: Page, fn: (service: MasterDataService) => Promise<T>): Promise<T> {
  return page.evaluate(`(${fn.toString()})(globalThis.service)`) as Promise<T>;
}

type MasterDataService = ReturnType<typeof globalThis.masterData.createMasterDataService>;

const idsOf = (rows: Array<{ id: unknown }>) =>
  rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));

describe('master data in Chromium with real IndexedDB', () => {
  it('first sync, incremental sync with a tombstone, then offline reads after a restart', async () => {
    await startServer(30, 10);
    let page = await openKiosk();

    const first = await withService(page, (s) => s.preFetchData());
    expect(first.versions).toEqual({ products: 30, categories: 3, promotions: 1 });
    expect(server.requests.filter((r) => r.collection === 'products').map((r) => r.since)).toEqual([
      0, 10, 20,
    ]);
    expect(await withService(page, async (s) => (await s.getProducts()).length)).toBe(30);
    const byCategory = await withService(page, (s) => s.getProductsByCategory(2));
    expect(idsOf(byCategory)).toEqual(
      idsOf(server.menu.catalogs.products.live().filter((p) => p.category_id === 2)),
    );

    server.menu.changeProducts(5);
    server.menu.catalogs.products.remove(4);
    server.requests.length = 0;
    const second = await withService(page, (s) => s.preFetchData());
    expect(server.requests.find((r) => r.collection === 'products')?.since).toBe(30);
    expect(second.applied.products).toBe(6);
    const stored = await withService(page, (s) => s.getProducts());
    expect(stored).toEqual(
      [...server.menu.catalogs.products.live()].sort((a, b) => Number(a.id) - Number(b.id)),
    );
    expect(idsOf(stored)).not.toContain(4);
    expect(await withService(page, async (s) => s.status.get().state)).toBe('synced');

    // A product changing category moves between buckets in one transaction.
    const moved = server.menu.catalogs.products.live().find((p) => p.category_id === 2)!;
    server.menu.catalogs.products.upsert({ ...moved, category_id: 3 });
    await withService(page, (s) => s.preFetchData());
    const liveIn = (category: number) =>
      idsOf(server.menu.catalogs.products.live().filter((p) => p.category_id === category));
    expect(idsOf(await withService(page, (s) => s.getProductsByCategory(2)))).toEqual(liveIn(2));
    expect(idsOf(await withService(page, (s) => s.getProductsByCategory(3)))).toEqual(liveIn(3));
    expect(liveIn(3)).toContain(moved.id);
    const afterMove = await withService(page, (s) => s.getProducts());
    expect(afterMove).toHaveLength(stored.length);

    // A restart of the browser on the same profile, then the network goes away.
    await browser.restart();
    page = await openKiosk();
    await browser.context.setOffline(true);
    const offline = await withService(page, (s) => s.preFetchData());
    expect(offline.skipped).toBe('offline');
    expect(await withService(page, (s) => s.getProducts())).toEqual(afterMove);
    expect(await withService(page, async (s) => (await s.getCategories()).length)).toBe(3);
    expect(await withService(page, async (s) => (await s.getActivePromotions()).length)).toBe(1);
    expect(await withService(page, async (s) => s.status.get())).toMatchObject({
      state: 'offline',
      stale: false,
    });
    expect(await withService(page, async (s) => s.version.get())).toEqual({
      ...second.versions,
      products: second.versions.products + 1,
    });
  });

  it('large pages go into buckets, small ones are laid over them, the next large page folds them in', async () => {
    await startServer(600, 300);
    const page = await openKiosk();
    const products = server.menu.catalogs.products;
    const live = () => [...products.live()].sort((a, b) => Number(a.id) - Number(b.id));
    const inCategory = (c: number) => idsOf(live().filter((p) => p.category_id === c));
    const expectCache = async () => {
      expect(await withService(page, (s) => s.getProducts())).toEqual(live());
      for (const c of [1, 2, 3]) {
        const rows = await page.evaluate(
          (id) =>
            (globalThis as unknown as { service: MasterDataService }).service.getProductsByCategory(
              id,
            ),
          c,
        );
        expect(idsOf(rows)).toEqual(inCategory(c));
      }
    };

    await withService(page, (s) => s.preFetchData());
    await expectCache();

    // A small page: a move, a removal and a price change, kept beside the buckets.
    const [first, second, third] = live();
    products.upsert({ ...first!, category_id: first!.category_id === 1 ? 2 : 1 });
    products.remove(second!.id);
    products.upsert({ ...third!, price: '1' });
    await withService(page, (s) => s.preFetchData());
    await expectCache();

    // A large page (300 changes) folds those in.
    server.menu.changeProducts(300);
    await withService(page, (s) => s.preFetchData());
    await expectCache();
  });
});
