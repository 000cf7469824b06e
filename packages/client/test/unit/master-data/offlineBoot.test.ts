import { describe, expect, it } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, networkError } from './fakeCentral.js';
import { ids } from './setup.js';

const { msw, terminal } = centralSuite();

// The demo kiosk used to wait out the whole backoff (about 8 s) before showing its cached menu
// when it booted with central down.
describe('a terminal that boots while central is unreachable', () => {
  const retry = { attempts: 4, minDelayMs: 1_000, maxDelayMs: 30_000 };

  it('with a cached menu, gives up on the first network error without waiting', async () => {
    const central = msw.use(new FakeCentral());
    for (let p = 1; p <= 3; p++) central.products.upsert({ id: p, category_id: 1 });
    const kiosk = terminal({ retry });
    await kiosk.clock.drive(kiosk.service.preFetchData());
    const requestsBefore = central.seen.length;

    central.failNext(100, networkError);
    const rebooted = kiosk.open();
    const started = kiosk.clock.time;
    const failure = kiosk.clock.drive(rebooted.preFetchData());

    await expect(failure).rejects.toMatchObject({ code: 'network' });
    expect(kiosk.clock.time - started).toBeLessThan(retry.minDelayMs);
    // One request per collection, none repeated.
    expect(
      central.seen
        .slice(requestsBefore)
        .map((r) => r.collection)
        .sort(),
    ).toEqual(['categories', 'products', 'promotions']);
    expect(rebooted.status.get().state).toBe('offline');
    expect(ids(await rebooted.getProducts())).toEqual([1, 2, 3]);
  });

  it('with an empty cache, still retries with backoff: there is nothing else to show', async () => {
    const central = msw.use(new FakeCentral());
    central.products.upsert({ id: 1, category_id: 1 });
    central.failNext(2, networkError, { collection: 'products' });
    const kiosk = terminal({ retry });
    const started = kiosk.clock.time;

    await kiosk.clock.drive(kiosk.service.preFetchData());

    expect(central.sinceOf('products')).toEqual([0, 0, 0]);
    expect(kiosk.clock.time - started).toBeGreaterThanOrEqual(3_000);
    expect(ids(await kiosk.service.getProducts())).toEqual([1]);
  });
});
