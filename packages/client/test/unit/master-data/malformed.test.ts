import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, json } from './fakeCentral.js';
import type { Terminal } from './setup.js';

const { msw, terminal } = centralSuite();

/** A kiosk synced to products 1..5 (version 5) before the bad page arrives. */
async function syncedKiosk(central: FakeCentral): Promise<Terminal> {
  for (let p = 1; p <= 5; p++) central.products.upsert({ id: p, name: `P${p}`, category_id: 1 });
  const kiosk = terminal();
  await kiosk.service.preFetchData();
  return kiosk;
}

const bad: Array<[string, unknown]> = [
  ['a body that is not an object', [1, 2, 3]],
  ['items that are not an array', { items: { id: 9 }, current_version: 9, has_more: false }],
  ['no items at all', { current_version: 9, has_more: false }],
  ['a missing current_version', { items: [], has_more: false }],
  ['a fractional current_version', { items: [], current_version: 6.5, has_more: false }],
  ['a string has_more', { items: [], current_version: 9, has_more: 'yes' }],
  ['has_more without progress', { items: [], current_version: 5, has_more: true }],
  [
    'an item without id',
    {
      items: [
        { id: 9, version: 6 },
        { name: 'x', version: 7 },
      ],
      current_version: 7,
    },
  ],
  ['an item with an empty id', { items: [{ id: '', version: 6 }], current_version: 6 }],
  ['an item that is not an object', { items: [{ id: 9, version: 6 }, 'x'], current_version: 7 }],
  ['an item newer than current_version', { items: [{ id: 9, version: 12 }], current_version: 8 }],
  ['a non-numeric item version', { items: [{ id: 9, version: 'new' }], current_version: 8 }],
  ['a fractional item version', { items: [{ id: 9, version: 6.5 }], current_version: 8 }],
  [
    'a __proto__ key',
    JSON.parse('{"items":[{"id":9,"version":6,"__proto__":{"admin":true}}],"current_version":6}'),
  ],
];

describe('malformed pages', () => {
  it.each(bad)('a page with %s is refused and changes nothing', async (_name, body) => {
    const central = msw.use(new FakeCentral());
    const kiosk = await syncedKiosk(central);
    central.products.upsert({ id: 1, name: 'would be new', category_id: 1 });
    const before = await kiosk.service.getProducts();
    central.failNext(1, json(body), { collection: 'products' });
    central.seen.length = 0;

    const failure = kiosk.service.preFetchData();

    await expect(failure).rejects.toMatchObject({ code: 'malformed_response' });
    expect(await kiosk.service.getProducts()).toEqual(before);
    expect(kiosk.service.version.get().products).toBe(5);
    expect(kiosk.service.status.get().state).toBe('error');
    expect(kiosk.service.status.get().error?.code).toBe('malformed_response');
    // Asking again would get the same answer: a malformed page is not retried.
    expect(central.sinceOf('products')).toEqual([5]);
  });

  it('a body that is not JSON is malformed_response', async () => {
    const central = msw.use(new FakeCentral());
    const kiosk = await syncedKiosk(central);
    central.failNext(1, () => new HttpResponse('<html>proxy</html>', { status: 200 }), {
      collection: 'products',
    });

    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({
      code: 'malformed_response',
    });
    expect(await kiosk.service.getProducts()).toHaveLength(5);
  });

  it('a promotion with an unreadable date is refused', async () => {
    const central = msw.use(new FakeCentral());
    const kiosk = await syncedKiosk(central);
    central.promotions.upsert({ id: 'x', start_date: 'next tuesday' });

    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({
      code: 'malformed_response',
    });
    expect(await kiosk.service.getActivePromotions()).toEqual([]);
    expect(kiosk.service.version.get().promotions).toBe(0);
  });

  it('a malformed second page keeps the committed first page and nothing of itself', async () => {
    const central = msw.use(new FakeCentral());
    for (let p = 1; p <= 15; p++) central.products.upsert({ id: p, category_id: 1 });
    const kiosk = terminal();
    central.failNext(1, json({ items: [{ id: 99, version: 'x' }], current_version: 12 }), {
      collection: 'products',
      since: 10,
    });

    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({
      code: 'malformed_response',
    });
    expect(kiosk.service.version.get().products).toBe(10);
    expect((await kiosk.service.getProducts()).map((p) => p.id)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    // The other collections still synced.
    expect(kiosk.service.version.get().categories).toBe(0);

    await kiosk.service.preFetchData();
    expect(await kiosk.service.getProducts()).toHaveLength(15);
  });

  it('a row as deep as any message is taken: rows sit two levels below the page', async () => {
    const central = msw.use(new FakeCentral());
    const kiosk = await syncedKiosk(central);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 14; i++) deep = { a: deep };
    central.failNext(
      1,
      json({
        items: [{ id: 9, name: 'P9', category_id: 1, version: 6, extra: deep }],
        current_version: 6,
      }),
      { collection: 'products' },
    );
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).map((p) => p.id)).toContain(9);
  });

  // A server that sends an older copy of a row (or sends it again) must not take a price back.
  it('skips rows no newer than the cache, so a price never goes back', async () => {
    const central = msw.use(new FakeCentral());
    const kiosk = await syncedKiosk(central);
    const before = (await kiosk.service.getProducts()).find((p) => p.id === 1);
    central.failNext(
      1,
      json({
        items: [{ id: 1, name: 'old copy', category_id: 1, version: 0 }],
        current_version: 6,
      }),
      { collection: 'products' },
    );
    await kiosk.service.preFetchData();
    expect((await kiosk.service.getProducts()).find((p) => p.id === 1)).toEqual(before);
    expect(kiosk.service.version.get().products).toBe(6);
  });
});
