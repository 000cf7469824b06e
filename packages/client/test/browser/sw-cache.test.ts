import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kiosk, startKiosk } from './kiosk.js';

let kiosk: Kiosk;

beforeEach(async () => {
  kiosk = await startKiosk();
});

afterEach(async () => {
  await kiosk?.close();
});

const PRODUCTS = {
  products: [{ id: 1, name: 'Nasi goreng', price: '25000', category_id: 2 }],
  current_version: 3,
  has_more: false,
};

describe('runtime caches in Chromium', () => {
  it('opens the page and its master data offline from the caches', async () => {
    const { backend } = kiosk.server;
    backend.data.set('/api/products/', PRODUCTS);
    expect(await kiosk.page.evaluate(() => globalThis.ks.loadProducts())).toEqual(PRODUCTS);
    expect(backend.gets).toEqual(['/api/products/']);

    await kiosk.browser.context.setOffline(true);
    const served = kiosk.server.requests.length;
    await kiosk.reload();
    expect(await kiosk.page.textContent('h1')).toBe('kiosk');
    expect(await kiosk.page.evaluate(() => globalThis.ks.loadProducts())).toEqual(PRODUCTS);
    // Page, script and data all came from the worker's caches: the server saw nothing.
    expect(kiosk.server.requests.slice(served)).toEqual([]);
  });

  it('reports the storage the origin uses and clears the caches', async () => {
    kiosk.server.backend.data.set('/api/products/', PRODUCTS);
    await kiosk.page.evaluate(() => globalThis.ks.loadProducts());
    expect(await kiosk.page.evaluate(() => globalThis.ks.manager.getCacheSize())).toBeGreaterThan(
      0,
    );
    // Workbox writes caches in the background (waitUntil); wait until all three exist.
    await kiosk.page.waitForFunction(async () => (await caches.keys()).length === 3, null, {
      timeout: 10_000,
      polling: 100,
    });

    const { before, after } = await kiosk.page.evaluate(async () => {
      const before = (await caches.keys()).sort();
      await globalThis.ks.manager.clearCaches();
      return { before, after: await caches.keys() };
    });
    expect(before).toEqual(['master-data-cache', 'pages-cache', 'static-cache']);
    expect(after).toEqual([]);
  });
});

describe('update flow in Chromium', () => {
  it('shows a waiting version, and skipWaiting() activates it and reloads the page', async () => {
    const { page, server } = kiosk;
    expect(await page.evaluate(() => globalThis.ks.swVersion())).toBe('v1');

    server.swVersion = 'v2';
    await page.evaluate(() => globalThis.ks.manager.update());
    await page.waitForFunction(() => globalThis.ks.manager.status.get().updateAvailable, null, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => globalThis.ks.manager.status.get())).toMatchObject({
      registered: true,
      active: true,
      waiting: true,
    });
    expect(await page.evaluate(() => globalThis.ks.swVersion())).toBe('v1');

    const reloaded = page.waitForEvent('load', { timeout: 15_000 });
    await page.evaluate(() => {
      void globalThis.ks.manager.skipWaiting();
    });
    await reloaded;
    await page.evaluate(() => globalThis.ks.ready);
    expect(await page.evaluate(() => globalThis.ks.swVersion())).toBe('v2');
    await page.waitForFunction(() => !globalThis.ks.manager.status.get().waiting, null, {
      timeout: 15_000,
    });
  });
});
