import { describe, expect, it } from 'vitest';
import type { MasterDataState } from '../../../src/master-data/types.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, status } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

/** Central before its disk failed: products 1..5 created, then 1..3 repriced (version 8). */
function beforeTheFailure(): FakeCentral {
  const central = new FakeCentral();
  central.pageSize = 2;
  central.categories.upsert({ id: 1, name: 'Nasi' });
  for (let p = 1; p <= 5; p++) central.products.upsert({ id: p, price: '10000', category_id: 1 });
  for (let p = 1; p <= 3; p++) central.products.upsert({ id: p, price: '12000', category_id: 1 });
  return central;
}

/** The same central restored from the night's backup (versions 1..5), then P5 repriced and P4 removed. */
function restoredFromBackup(): FakeCentral {
  const central = new FakeCentral();
  central.pageSize = 2;
  central.categories.upsert({ id: 1, name: 'Nasi' });
  for (let p = 1; p <= 5; p++) central.products.upsert({ id: p, price: '10000', category_id: 1 });
  central.products.upsert({ id: 5, price: '99000', category_id: 1 });
  central.products.remove(4);
  return central;
}

const prices = (rows: Array<{ id: unknown; price?: unknown }>) =>
  Object.fromEntries(rows.map((row) => [String(row.id), row.price]));

describe('central went back (restored from a backup)', () => {
  it('a current_version below the cache downloads the collection again and ends at central', async () => {
    msw.use(beforeTheFailure());
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    expect(kiosk.service.version.get().products).toBe(8);

    const central = msw.use(restoredFromBackup());
    const states: MasterDataState[] = [];
    kiosk.service.status.subscribe((s) => states.push(s.state));

    const result = await kiosk.service.preFetchData();

    expect(prices(await kiosk.service.getProducts())).toEqual({
      1: '10000',
      2: '10000',
      3: '10000',
      5: '99000',
    });
    expect(result.resynced).toEqual(['products']);
    expect(result.versions.products).toBe(7);
    expect(kiosk.service.version.get().products).toBe(7);
    expect(states).toContain('resyncing');
    expect(kiosk.service.status.get()).toMatchObject({ state: 'synced', error: null });
    // Asked after its own version, found central behind it, then everything from 0.
    expect(central.sinceOf('products')).toEqual([8, 0, 2, 6]);
    // From here on it follows central's counter again.
    central.products.upsert({ id: 1, price: '15000', category_id: 1 });
    await kiosk.service.preFetchData();
    expect(prices(await kiosk.service.getProducts())[1]).toBe('15000');
  });

  it('keeps selling from the old menu until the new download is complete', async () => {
    msw.use(beforeTheFailure());
    const kiosk = terminal({ retry: { attempts: 1 } });
    await kiosk.service.preFetchData();
    const before = await kiosk.service.getProducts();

    const central = msw.use(restoredFromBackup());
    central.failNext(1, status(503), { collection: 'products', since: 2 });
    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({ code: 'http' });

    expect(await kiosk.service.getProducts()).toEqual(before);
    expect(kiosk.service.version.get().products).toBe(8);
    // The next sync finds central behind again and finishes the download.
    const result = await kiosk.service.preFetchData();
    expect(result.resynced).toEqual(['products']);
    expect(Object.keys(prices(await kiosk.service.getProducts()))).toEqual(['1', '2', '3', '5']);
  });

  it('another tab reading the same database sees the new menu', async () => {
    msw.use(beforeTheFailure());
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    msw.use(restoredFromBackup());

    await kiosk.service.preFetchData();

    const otherTab = kiosk.open();
    expect(prices(await otherTab.getProducts())[5]).toBe('99000');
    expect(await otherTab.getProductsByCategory(1)).toHaveLength(4);
  });
});
