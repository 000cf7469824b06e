import { fileURLToPath } from 'node:url';
import type { Order } from '@kitchen-sync/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import type {} from '../../bench/client/browserEntry.js';
import { pagePerTest } from '../browser/pagePerTest.js';
import { newOrderEvent } from '../unit/fakes/events.js';
import { makeOrder } from '../unit/fakes/orders.js';

const ENTRY = fileURLToPath(new URL('../../bench/client/browserEntry.ts', import.meta.url));
const PAGE = '<!doctype html><title>ksPage</title><script type="module" src="/app.js"></script>';

const served = pagePerTest(PAGE, ENTRY);

/** A tab of the POS app: its outbox posts to the test server's `/api/events`. */
async function openPos(): Promise<Page> {
  const page = await served.browser.open(served.server.url('/'));
  await startOutbox(page);
  return page;
}

/** Creates the page's outbox once the page script has loaded (first load or reload). */
async function startOutbox(page: Page): Promise<void> {
  await page.waitForFunction(() => 'ksPage' in globalThis, null, { timeout: 15_000 });
  await page.evaluate(async (relayUrl) => {
    ksPage.outbox = ksPage.createOrderOutbox({
      relayUrl,
      dbName: 'pos',
      backoff: { min: 100, max: 400 },
    });
    await ksPage.outbox.ready;
  }, served.server.origin);
}

const submit = (page: Page, order: Order) =>
  page.evaluate((o) => ksPage.outbox!.submit(o as never), order as unknown);
const pendingCount = (page: Page) => page.evaluate(() => ksPage.outbox!.pending.get().length);
const isDelivering = (page: Page) => page.evaluate(() => ksPage.outbox!.delivering.get());
const WAIT = { timeout: 15_000, interval: 50 };
const acceptedIds = () =>
  served.server.backend.accepted.map((p) => (p.body as { payload: Order }).payload.order_id);

describe('outbox and feed in Chromium (real IndexedDB, Web Locks, BroadcastChannel)', () => {
  it('one tab delivers; the other persists, and takes over when the first closes', async () => {
    served.server.backend.down = true;
    const tabA = await openPos();
    await tabA.waitForFunction(() => ksPage.outbox!.delivering.get(), null, { timeout: 10_000 });
    const tabB = await openPos();
    expect(await isDelivering(tabB)).toBe(false);

    const orders = [makeOrder(), makeOrder(), makeOrder()];
    for (const order of orders) await submit(tabB, order);
    served.server.backend.down = false;

    await vi.waitFor(() => expect(acceptedIds()).toHaveLength(3), WAIT);
    expect(acceptedIds()).toEqual(orders.map((o) => o.order_id));
    expect(served.server.backend.accepted.map((p) => (p.body as { type: string }).type)).toEqual([
      'order:publish',
      'order:publish',
      'order:publish',
    ]);
    await tabB.waitForFunction(() => ksPage.outbox!.pending.get().length === 0, null, {
      timeout: 10_000,
    });

    await tabA.close();
    await tabB.waitForFunction(() => ksPage.outbox!.delivering.get(), null, { timeout: 10_000 });
    const later = makeOrder();
    await submit(tabB, later);
    await vi.waitFor(() => expect(acceptedIds()).toHaveLength(4), WAIT);
    expect(acceptedIds().at(-1)).toBe(later.order_id);
  });

  it('keeps queued orders through a page reload and delivers them in order', async () => {
    served.server.backend.down = true;
    const page = await openPos();
    const orders = [makeOrder(), makeOrder()];
    for (const order of orders) await submit(page, order);
    await vi.waitFor(() => expect(served.server.backend.posts.length).toBeGreaterThan(0), WAIT);

    await page.reload({ waitUntil: 'load' });
    await startOutbox(page);
    expect(await pendingCount(page)).toBe(2);
    served.server.backend.down = false;

    await vi.waitFor(() => expect(acceptedIds()).toHaveLength(2), WAIT);
    expect(acceptedIds()).toEqual(orders.map((o) => o.order_id));
  });

  it('a kitchen feed shows its stored orders and cursor at once after a reload', async () => {
    const page = await served.browser.open(served.server.url('/'));
    await page.waitForFunction(() => 'ksPage' in globalThis, null, { timeout: 15_000 });
    const orders = [makeOrder(), makeOrder(), makeOrder()];
    const events = orders.map((order, i) => newOrderEvent(order, i + 1));
    await page.evaluate(async (list) => {
      ksPage.socket = new ksPage.PageSocket();
      ksPage.feed = ksPage.createKitchenFeed({
        dbName: 'kds',
        socket: ksPage.socket,
        playSound: () => {},
      });
      await ksPage.feed.ready;
      ksPage.socket.caughtUp({ seq: 0, epoch: 'e1' });
      for (const event of list) ksPage.socket.event(event as never);
      await ksPage.feed.flush();
    }, events as unknown[]);

    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => 'ksPage' in globalThis, null, { timeout: 15_000 });
    const reopened = await page.evaluate(async () => {
      ksPage.feed = ksPage.createKitchenFeed({ dbName: 'kds', playSound: () => {} });
      await ksPage.feed.ready;
      return {
        ids: ksPage.feed.orders.get().map((o) => o.order_id),
        cursor: ksPage.feed.cursor.get(),
      };
    });

    expect(new Set(reopened.ids)).toEqual(new Set(orders.map((o) => o.order_id)));
    // With the id of the event applied at 3, stored in the real IndexedDB too.
    expect(reopened.cursor).toEqual({ since: 3, epoch: 'e1', since_event: events[2]!.event_id });
  });
});
