import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { QueueSummary, ServiceWorkerManager } from '../../src/sw-manager/index.js';
import { KIOSK_PAGE } from './fixtures/pages.js';
import { TestBrowser, TestServer } from './harness.js';

/** What fixtures/app.ts puts on `globalThis.ks` for `page.evaluate`. */
export interface KioskApi {
  manager: ServiceWorkerManager;
  placeOrder(order: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  loadProducts(): Promise<unknown>;
  swVersion(): Promise<string | null>;
  queueEvents: QueueSummary[];
  ready: Promise<boolean>;
}

declare global {
  var ks: KioskApi;
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export interface Kiosk {
  server: TestServer;
  browser: TestBrowser;
  page: Page;
  /** Places `orderBody(n)` from the kiosk tab, through its service worker. */
  place(n: number): ReturnType<KioskApi['placeOrder']>;
  /** Opens the kiosk page in a new tab and waits until the service worker controls it. */
  openPage(): Promise<Page>;
  /** Reloads the kiosk tab and waits for its script to be ready again. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface KioskOptions {
  /** Make the worker behave as in a browser without the Background Sync API. */
  noBackgroundSync?: boolean;
}

/** The kiosk test page served on loopback, opened in Chromium, controlled by our worker. */
export async function startKiosk(options: KioskOptions = {}): Promise<Kiosk> {
  const server = await TestServer.start({
    pages: { '/': KIOSK_PAGE },
    scripts: { '/app.js': fixture('app.ts') },
    serviceWorker: fixture('sw.ts'),
    define: { __FORCE_SYNC_FALLBACK__: options.noBackgroundSync ?? false },
  });
  let browser: TestBrowser | undefined;
  try {
    browser = await TestBrowser.launch();
    const kiosk: Kiosk = {
      server,
      browser,
      page: undefined as unknown as Page,
      place: (n) => kiosk.page.evaluate((order) => globalThis.ks.placeOrder(order), orderBody(n)),
      async openPage() {
        const page = await (browser as TestBrowser).open(server.url('/'));
        await page.evaluate(() => globalThis.ks.ready);
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
          timeout: 15_000,
        });
        kiosk.page = page;
        return page;
      },
      async reload() {
        await kiosk.page.reload({ waitUntil: 'load', timeout: 15_000 });
        await kiosk.page.evaluate(() => globalThis.ks.ready);
      },
      async close() {
        await browser?.close();
        await server.close();
      },
    };
    await kiosk.openPage();
    // The first visit ran before the worker controlled the page; the second one fills the
    // caches through it, as a kiosk's second start would (apps precache instead).
    await kiosk.reload();
    return kiosk;
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}

/** The order ids of `orderBody(n)` for each `n`, in the same order. */
export const orderIds = (ns: number[]): unknown[] => ns.map((n) => orderBody(n).order_id);

/** A POS order body as the kiosk posts it to the central API. */
export function orderBody(n: number): Record<string, unknown> {
  const hex = n.toString(16).padStart(12, '0');
  return {
    order_id: `0190a000-0000-7000-8000-${hex}`,
    order_number: `OFF-${n}`,
    outlet_id: 1,
    tenant_id: 1,
    status: 'pending',
    items: [{ product_id: 1, name: 'Nasi goreng', quantity: 1 }],
    total_amount: '25000',
    created_at: new Date(1_735_891_234_567 + n).toISOString(),
  };
}
