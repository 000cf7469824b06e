import { describe, expect, it } from 'vitest';
import type { MasterDataStatus } from '../../../src/master-data/types.js';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, networkError, status } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

const HOUR = 60 * 60 * 1_000;

function menu(central: FakeCentral): FakeCentral {
  for (let p = 1; p <= 4; p++) central.products.upsert({ id: p, category_id: 1 });
  central.categories.upsert({ id: 1, name: 'Food' });
  return central;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('status, staleness and offline use', () => {
  it('turns stale once the last sync is older than staleAfterMs, on the clock', async () => {
    menu(msw.use(new FakeCentral()));
    const kiosk = terminal({ staleAfterMs: 24 * HOUR });
    await kiosk.service.preFetchData();
    const seen: MasterDataStatus[] = [];
    const unsubscribe = kiosk.service.status.subscribe((s) => seen.push(s));

    kiosk.clock.advance(24 * HOUR);
    expect(kiosk.service.status.get().stale).toBe(false);
    kiosk.clock.advance(1);

    expect(seen.at(-1)).toMatchObject({ state: 'synced', stale: true });
    expect(seen.filter((s) => s.stale)).toHaveLength(1);
    unsubscribe();
    expect(kiosk.clock.pending).toBe(0);
  });

  it('get() reports stale without a subscriber, and a new sync makes it fresh', async () => {
    menu(msw.use(new FakeCentral()));
    const kiosk = terminal({ staleAfterMs: HOUR });
    expect(kiosk.service.status.get()).toMatchObject({
      state: 'idle',
      lastSync: null,
      stale: true,
    });
    await kiosk.service.preFetchData();
    kiosk.clock.advance(HOUR + 1);
    expect(kiosk.service.status.get().stale).toBe(true);

    await kiosk.service.preFetchData();

    expect(kiosk.service.status.get()).toMatchObject({ lastSync: kiosk.clock.time, stale: false });
    // Nothing was new, yet the sync time is stored: a reload is not stale either.
    const reloaded = kiosk.open();
    await reloaded.getProducts();
    expect(reloaded.status.get()).toMatchObject({ lastSync: kiosk.clock.time, stale: false });
  });

  it('offline: no request, state offline, every read served from the cache', async () => {
    const central = menu(msw.use(new FakeCentral()));
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    kiosk.window.setOnline(false);
    central.seen.length = 0;

    const result = await kiosk.service.preFetchData();

    expect(result.skipped).toBe('offline');
    expect(central.seen).toEqual([]);
    expect(kiosk.service.status.get().state).toBe('offline');
    expect(await kiosk.service.getProducts()).toHaveLength(4);
    expect(await kiosk.service.getProductsByCategory(1)).toHaveLength(4);
    expect(await kiosk.service.getCategories()).toHaveLength(1);
  });

  it('after a reload with the central API down, the cache and its sync time are still there', async () => {
    const central = menu(msw.use(new FakeCentral()));
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    const syncedAt = kiosk.clock.time;
    await kiosk.service.close();
    central.failNext(100, networkError);
    kiosk.clock.advance(2 * HOUR);

    const reloaded = kiosk.open();
    await expect(kiosk.clock.drive(reloaded.preFetchData())).rejects.toMatchObject({
      code: 'network',
    });

    expect(reloaded.status.get()).toMatchObject({ state: 'offline', lastSync: syncedAt });
    expect(reloaded.version.get()).toEqual({ products: 4, categories: 1, promotions: 0 });
    expect(await reloaded.getProducts()).toHaveLength(4);
  });

  it('background refresh runs every interval, skips while offline or hidden, catches up after', async () => {
    const central = menu(msw.use(new FakeCentral()));
    const kiosk = terminal();
    const stop = kiosk.service.startBackgroundRefresh({ intervalMs: HOUR });
    const productRequests = () => central.sinceOf('products').length;

    const synced = (requests: number) =>
      kiosk.clock.drive(
        until(
          () => productRequests() === requests && kiosk.service.status.get().state === 'synced',
        ),
      );

    kiosk.clock.advance(HOUR);
    await synced(1);

    kiosk.window.navigator.onLine = false;
    kiosk.clock.advance(HOUR);
    await settle();
    expect(productRequests()).toBe(1);
    kiosk.window.setOnline(true);
    await synced(2);

    kiosk.document.setHidden(true);
    kiosk.clock.advance(HOUR);
    await settle();
    expect(productRequests()).toBe(2);
    kiosk.document.setHidden(false);
    await synced(3);

    stop();
    kiosk.clock.advance(5 * HOUR);
    await settle();
    expect(productRequests()).toBe(3);
    expect(kiosk.clock.pending).toBe(0);
  });

  it('a tick that failed while central was unreachable is retried with backoff, not an hour later', async () => {
    const central = menu(msw.use(new FakeCentral()));
    const kiosk = terminal();
    await kiosk.service.preFetchData();
    // The outlet's internet is down, its LAN up: navigator.onLine stays true, no event fires.
    let down = true;
    central.override(() => (down ? networkError() : undefined));
    const stop = kiosk.service.startBackgroundRefresh({ intervalMs: HOUR, retryMinMs: 15_000 });
    const productRequests = () => central.sinceOf('products').length;

    kiosk.clock.advance(HOUR);
    await kiosk.clock.drive(
      until(() => kiosk.service.status.get().state === 'offline'),
      1,
    );
    expect(productRequests()).toBe(2);
    // Still down at the first retry: the next waits longer (15 s, then 30 s).
    kiosk.clock.advance(15_000);
    await kiosk.clock.drive(
      until(() => productRequests() === 3),
      1,
    );
    await kiosk.clock.drive(
      until(() => kiosk.service.status.get().state === 'offline'),
      1,
    );

    down = false;
    central.products.upsert({ id: 1, category_id: 1, price: '31000' });
    kiosk.clock.advance(29_999);
    await settle();
    expect(productRequests()).toBe(3);
    kiosk.clock.advance(1);
    await kiosk.clock.drive(
      until(() => kiosk.service.status.get().state === 'synced'),
      1,
    );
    expect((await kiosk.service.getProducts())[0]?.price).toBe('31000');

    // A success ends the retries: nothing more until the next interval.
    const after = productRequests();
    kiosk.clock.advance(HOUR - 46_000);
    await settle();
    expect(productRequests()).toBe(after);
    stop();
    expect(kiosk.clock.pending).toBe(0);
  });

  it.each([408, 425, 429, 503])(
    'a tick central answered %s is retried with backoff, as every client retry list says',
    async (code) => {
      const central = menu(msw.use(new FakeCentral()));
      const kiosk = terminal({ retry: { attempts: 1 } });
      await kiosk.service.preFetchData();
      let refusing = true;
      central.override(() => (refusing ? status(code)() : undefined));
      const stop = kiosk.service.startBackgroundRefresh({ intervalMs: HOUR, retryMinMs: 15_000 });
      kiosk.clock.advance(HOUR);
      await kiosk.clock.drive(
        until(() => kiosk.service.status.get().state === 'error'),
        1,
      );
      refusing = false;
      central.products.upsert({ id: 1, category_id: 1, price: '31000' });
      kiosk.clock.advance(15_000);
      await kiosk.clock.drive(
        until(() => kiosk.service.status.get().state === 'synced'),
        1,
      );
      expect((await kiosk.service.getProducts())[0]?.price).toBe('31000');
      stop();
    },
  );

  it('defaults to an hourly refresh and close() stops it', async () => {
    const central = menu(msw.use(new FakeCentral()));
    const kiosk = terminal();
    kiosk.service.startBackgroundRefresh();

    kiosk.clock.advance(HOUR - 1);
    await settle();
    expect(central.seen).toEqual([]);
    kiosk.clock.advance(1);
    await kiosk.clock.drive(until(() => central.sinceOf('products').length === 1));

    await kiosk.service.close();
    expect(kiosk.clock.pending).toBe(0);
  });
});

/** Resolves once `condition` holds; the caller's drive() bounds how long that may take. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await settle();
}
