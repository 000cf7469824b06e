import { describe, expect, it } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

// review1: a central that answers an empty collection at version 0 (a fresh/rebuilt database,
// a deploy pointed at the wrong DB, a restore of an empty dump). Before 739c546 the page was
// refused ("current_version went backwards") and the kiosk kept selling from its cache.
describe('review1: central answers an empty collection at version 0', () => {
  it('keeps the cached menu instead of swapping in an empty one', async () => {
    const before = new FakeCentral();
    before.categories.upsert({ id: 1, name: 'Nasi' });
    for (let p = 1; p <= 5; p++) before.products.upsert({ id: p, price: '10000', category_id: 1 });
    msw.use(before);
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).length).toBe(5);

    msw.use(new FakeCentral()); // empty, current_version 0
    const result = await kiosk.service.preFetchData();
    console.log('REVIEW1 resynced', result.resynced, 'products now', (await kiosk.service.getProducts()).length, 'categories', (await kiosk.service.getCategories()).length);
    expect((await kiosk.service.getProducts()).length).toBe(5);
  });
});
