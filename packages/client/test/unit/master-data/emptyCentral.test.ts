import { describe, expect, it } from 'vitest';
import type { KitchenSyncError } from '../../../src/errors.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

/** Central with a menu: category 1, products 1..5. */
function withMenu(): FakeCentral {
  const central = new FakeCentral();
  central.categories.upsert({ id: 1, name: 'Nasi' });
  for (let p = 1; p <= 5; p++) central.products.upsert({ id: p, price: '10000', category_id: 1 });
  return central;
}

// A central that answers every collection empty at version 0: a database rebuilt and not
// seeded yet, a deploy pointed at the wrong database, a restore of an empty dump.
describe('central answers an empty collection below the cache', () => {
  it('keeps the cached menu and reports central_empty', async () => {
    msw.use(withMenu());
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const versions = kiosk.service.version.get();

    msw.use(new FakeCentral()); // empty, current_version 0
    const error = (await kiosk.service.preFetchData().catch((e) => e)) as KitchenSyncError;

    expect(error.code).toBe('central_empty');
    expect(error.details).toMatchObject({ collection: expect.any(String), current_version: 0 });
    expect(await kiosk.service.getProducts()).toHaveLength(5);
    expect(await kiosk.service.getCategories()).toHaveLength(1);
    expect(kiosk.service.version.get()).toEqual(versions);
    expect(kiosk.service.status.get()).toMatchObject({
      state: 'error',
      error: { code: 'central_empty' },
    });
  });

  it('takes the menu once central is seeded again, and an empty one after clear()', async () => {
    msw.use(withMenu());
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    msw.use(new FakeCentral());
    await kiosk.service.preFetchData().catch(() => undefined);

    const seeded = msw.use(new FakeCentral());
    seeded.categories.upsert({ id: 1, name: 'Nasi' });
    seeded.products.upsert({ id: 9, price: '20000', category_id: 1 });
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).map((p) => p.id)).toEqual([9]);

    // What the operator does to empty a terminal on purpose: clear(), then sync.
    msw.use(new FakeCentral());
    await kiosk.service.clear();
    const result = await kiosk.service.preFetchData();
    expect(result.skipped).toBeNull();
    expect(await kiosk.service.getProducts()).toEqual([]);
    expect(kiosk.service.status.get()).toMatchObject({ state: 'synced', error: null });
  });
});
