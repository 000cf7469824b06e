import { describe, expect, it } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral } from './fakeCentral.js';
import { ids } from './setup.js';

const { msw, terminal } = centralSuite();

const at = (iso: string) => new Date(iso).getTime();

describe('reads', () => {
  it('getActivePromotions keeps only promotions running at that moment', async () => {
    const central = msw.use(new FakeCentral());
    central.promotions.upsert({
      id: 'lunch',
      start_date: '2026-01-15T04:00:00Z',
      end_date: '2026-01-15T07:00:00Z',
    });
    central.promotions.upsert({ id: 'always', start_date: null });
    central.promotions.upsert({ id: 'from-now', start_date: '2026-01-15T05:00:00+00:00' });
    central.promotions.upsert({ id: 'ended', end_date: '2026-01-14T23:59:59Z' });
    // A bare date is a whole local day, its end included.
    const today = new Date(2026, 0, 15, 12);
    const day = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    central.promotions.upsert({ id: 'today', start_date: day(today), end_date: day(today) });
    const endOfToday = new Date(2026, 0, 15, 23, 59, 59, 999).getTime();
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getActivePromotions(at('2026-01-15T06:00:00Z')))).toEqual(
      ids([
        { id: 'always' },
        { id: 'from-now' },
        { id: 'lunch' },
        ...todayIf('2026-01-15T06:00:00Z'),
      ]),
    );
    expect(ids(await kiosk.service.getActivePromotions(new Date('2026-01-15T08:00:00Z')))).toEqual(
      ids([{ id: 'always' }, { id: 'from-now' }, ...todayIf('2026-01-15T08:00:00Z')]),
    );
    expect(ids(await kiosk.service.getActivePromotions(at('2026-01-14T12:00:00Z')))).toEqual(
      ids([{ id: 'always' }, { id: 'ended' }, ...todayIf('2026-01-14T12:00:00Z')]),
    );
    expect(ids(await kiosk.service.getActivePromotions(endOfToday))).toContain('today');
    expect(ids(await kiosk.service.getActivePromotions(endOfToday + 1))).not.toContain('today');

    function todayIf(iso: string) {
      const t = at(iso);
      const start = new Date(2026, 0, 15).getTime();
      return t >= start && t <= endOfToday ? [{ id: 'today' }] : [];
    }
  });

  it('promotions come back exactly as the server sent them', async () => {
    const central = msw.use(new FakeCentral());
    const sent = central.promotions.upsert({
      id: 7,
      name: 'Happy hour',
      discount: { percent: 20 },
    });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    expect(await kiosk.service.getActivePromotions()).toEqual([sent]);
  });

  it('getProductsByCategory goes through the index and matches 3 and "3" alike', async () => {
    const central = msw.use(new FakeCentral());
    central.products.upsert({ id: 1, category_id: 3 });
    central.products.upsert({ id: 2, category_id: '3' });
    central.products.upsert({ id: 3, category_id: 4 });
    central.products.upsert({ id: 4, category_id: 'drinks' });
    central.products.upsert({ id: 5 });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    expect(ids(await kiosk.service.getProductsByCategory(3))).toEqual([1, 2]);
    expect(ids(await kiosk.service.getProductsByCategory('3'))).toEqual([1, 2]);
    expect(ids(await kiosk.service.getProductsByCategory('drinks'))).toEqual([4]);
    expect(await kiosk.service.getProductsByCategory(99)).toEqual([]);
    expect(ids(await kiosk.service.getProducts())).toEqual([1, 2, 3, 4, 5]);
  });

  it('unknown fields are kept as the server sent them', async () => {
    const central = msw.use(new FakeCentral());
    const sent = central.products.upsert({
      id: 'sku-1',
      name: 'Es jeruk',
      price: '12000.50',
      modifiers: [{ name: 'less sugar' }],
      tax: { rate: '0.11' },
    });
    const kiosk = terminal();
    await kiosk.service.preFetchData();

    expect(await kiosk.service.getProducts()).toEqual([sent]);
  });
});
