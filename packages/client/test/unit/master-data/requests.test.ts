import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { centralSuite } from './centralSuite.js';
import { FakeCentral, networkError, status } from './fakeCentral.js';

const { msw, terminal } = centralSuite();

function menu(central: FakeCentral): FakeCentral {
  for (let p = 1; p <= 3; p++) central.products.upsert({ id: p, category_id: 1 });
  return central;
}

describe('requests to the central API', () => {
  it('retries network errors and 5xx with backoff, then succeeds', async () => {
    const central = menu(msw.use(new FakeCentral()));
    central.failNext(1, networkError, { collection: 'products' });
    central.failNext(1, status(503), { collection: 'products' });
    const kiosk = terminal({ retry: { attempts: 3, minDelayMs: 1_000, maxDelayMs: 10_000 } });
    const started = kiosk.clock.time;

    await kiosk.clock.drive(kiosk.service.preFetchData());

    expect(central.sinceOf('products')).toEqual([0, 0, 0]);
    expect(await kiosk.service.getProducts()).toHaveLength(3);
    // Two sleeps of the backoff (1 s then 2 s, random 0.5 = no jitter) passed on the clock.
    expect(kiosk.clock.time - started).toBeGreaterThanOrEqual(3_000);
    expect(kiosk.service.status.get().state).toBe('synced');
  });

  it('gives up after the bounded number of attempts', async () => {
    const central = menu(msw.use(new FakeCentral()));
    central.failNext(10, status(502), { collection: 'products' });
    const kiosk = terminal({ retry: { attempts: 4, minDelayMs: 100 } });

    const failure = kiosk.clock.drive(kiosk.service.preFetchData());

    await expect(failure).rejects.toMatchObject({ code: 'http', details: { status: 502 } });
    expect(central.sinceOf('products')).toHaveLength(4);
    expect(kiosk.service.status.get().state).toBe('error');
  });

  it.each([
    [404, 'http'],
    [400, 'http'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ])('a %i is not retried and rejects with %s', async (code, expected) => {
    const central = menu(msw.use(new FakeCentral()));
    central.failNext(1, status(code), { collection: 'products' });
    const kiosk = terminal();

    await expect(kiosk.service.preFetchData()).rejects.toMatchObject({ code: expected });
    expect(central.sinceOf('products')).toEqual([0]);
  });

  it('a request that never answers times out and is retried', async () => {
    const central = menu(msw.use(new FakeCentral()));
    // An answer that never comes, like a proxy holding the connection open.
    central.override((request) =>
      request.collection === 'products' ? (new Promise(() => undefined) as never) : undefined,
    );
    const kiosk = terminal({ requestTimeoutMs: 5_000, retry: { attempts: 1 } });

    const failure = kiosk.clock.drive(kiosk.service.preFetchData(), 1_000);

    await expect(failure).rejects.toMatchObject({ code: 'timeout' });
  });

  it('sends headers and the bearer token from getToken', async () => {
    const central = menu(msw.use(new FakeCentral()));
    let issued = 0;
    const kiosk = terminal({ getToken: async () => `token-${++issued}` });

    await kiosk.service.preFetchData();

    expect(central.seen.map((r) => r.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
    ]);
  });

  it('asks for the configured page size', async () => {
    menu(msw.use(new FakeCentral()));
    const limits: Array<string | null> = [];
    msw.server.events.on('request:start', ({ request }) => {
      limits.push(new URL(request.url).searchParams.get('limit'));
    });
    const kiosk = terminal({ pageSize: 500 });

    await kiosk.service.preFetchData();

    msw.server.events.removeAllListeners();
    expect(limits).toEqual(['500', '500', '500']);
  });

  it('close() aborts a sync that is waiting to retry', async () => {
    const central = menu(msw.use(new FakeCentral()));
    central.failNext(10, () => HttpResponse.error(), { collection: 'products' });
    const kiosk = terminal({ retry: { attempts: 5, minDelayMs: 60_000 } });

    const failure = kiosk.service.preFetchData();
    failure.catch(() => undefined);
    while (central.seen.length < 3) await new Promise((resolve) => setImmediate(resolve));
    await kiosk.service.close();

    await expect(failure).rejects.toMatchObject({ code: 'aborted' });
    await expect(kiosk.service.getProducts()).rejects.toMatchObject({ code: 'aborted' });
  });
});
