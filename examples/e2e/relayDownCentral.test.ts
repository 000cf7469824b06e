import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import {
  card,
  cardIds,
  kioskReady,
  kitchenReady,
  placeOrder,
  text,
  waitForText,
} from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

/** The seed notes' promise for a dead sync server with the internet up: "0–5 s delay". */
const VIA_CENTRAL_WITHIN_MS = 5_000;

// Warung Nusantara (tenant 1): 101 Nasi Goreng (wok), 102 Nasi Goreng Seafood. Bakso Pak
// Kumis (tenant 2): 201 Bakso Urat.

interface CentralOrder {
  order_id?: unknown;
  tenant_id?: unknown;
}

/** Records every order central's outlet socket brings to this page, from the page's first socket. */
function watchCentral(page: Page): CentralOrder[] {
  const orders: CentralOrder[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/ws/outlet/')) return;
    socket.on('framereceived', ({ payload }) => {
      try {
        const frame = JSON.parse(String(payload)) as { data?: CentralOrder };
        if (frame.data?.order_id) orders.push(frame.data);
      } catch {
        // Not JSON: not an order.
      }
    });
  });
  return orders;
}

test("relay killed, central up: the kitchen gets the order from central, never another tenant's; relay back: one ticket each, the bump lands", async () => {
  const d = demo();
  const kitchen = await d.open(d.kitchenUrl(1));
  let bakso: CentralOrder[] = [];
  const otherTenant = await d.open(d.kitchenUrl(2), (page) => {
    bakso = watchCentral(page);
  });
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kitchenReady(otherTenant), kioskReady(kiosk)]);
  await waitForText(kitchen, 'connection-mode', ['connected']);
  const [before] = await placeOrder(kiosk, [101]);
  await card(kitchen, before!).waitFor();

  await d.relay.stop('SIGKILL');
  // Central is still there: the kitchen says the relay is away, not that nothing comes.
  await waitForText(kitchen, 'connection-mode', ['central_only']);
  await waitForText(otherTenant, 'connection-mode', ['central_only']);

  const [during] = await placeOrder(kiosk, [102]);
  await card(kitchen, during!).waitFor({ timeout: VIA_CENTRAL_WITHIN_MS });
  expect(d.central.orderGroups.flatMap((g) => g.orders.map((o) => o.order_id))).toContain(during);
  expect(await text(kiosk, 'pending-count')).toBe('1');
  // The cook starts on it while the relay is down: the bump waits in the kitchen's outbox.
  await card(kitchen, during!).locator('[data-testid="bump"]').click();
  await card(kitchen, during!).and(kitchen.locator('[data-status="preparing"]')).waitFor();

  // Tenant 2's kitchen gets its own order from central, and central never sent it tenant 1's.
  const [baksoOrder] = await placeOrder(kiosk, [201]);
  await card(otherTenant, baksoOrder!).waitFor({ timeout: VIA_CENTRAL_WITHIN_MS });
  expect(bakso.map((o) => o.order_id)).toContain(baksoOrder);
  expect(bakso.filter((o) => String(o.tenant_id) !== '2')).toEqual([]);
  expect(await card(otherTenant, during!).count()).toBe(0);
  expect(await card(kitchen, baksoOrder!).count()).toBe(0);

  await d.relay.start();
  await waitForText(kiosk, 'pending-count', ['0'], 30_000);
  await waitForText(kitchen, 'connection-mode', ['connected'], 30_000);
  // The bump made meanwhile reached the relay: the kiosk, which follows the relay, shows it.
  await card(kiosk, during!).and(kiosk.locator('[data-status="preparing"]')).waitFor();
  await kitchen.locator('[data-testid="rejected"]').waitFor({ state: 'hidden' });

  // Central's copy and the relay's are one ticket, on both kitchens.
  const shown = await cardIds(kitchen);
  expect([...shown].sort()).toEqual([before, during].sort());
  expect(await cardIds(otherTenant)).toEqual([baksoOrder]);
  expect(await card(kitchen, during!).getAttribute('data-status')).toBe('preparing');
});

test('relay killed: station and expo screens get the order from central; a line bumped meanwhile lands once the relay is back', async () => {
  const d = demo();
  const wok = await d.open(d.kitchenModeUrl(1, { station: 'wok' }));
  const expo = await d.open(d.kitchenModeUrl(1, { expo: '' }));
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(wok), kitchenReady(expo), kioskReady(kiosk)]);
  await waitForText(wok, 'connection-mode', ['connected']);

  await d.relay.stop('SIGKILL');
  await waitForText(wok, 'connection-mode', ['central_only']);
  await waitForText(expo, 'connection-mode', ['central_only']);

  const [id] = await placeOrder(kiosk, [101]);
  await card(wok, id!).waitFor({ timeout: VIA_CENTRAL_WITHIN_MS });
  await card(expo, id!).waitFor({ timeout: VIA_CENTRAL_WITHIN_MS });
  await card(wok, id!).locator('[data-testid="bump-lines"]').click();

  await d.relay.start();
  await waitForText(kiosk, 'pending-count', ['0'], 30_000);
  // The wok's bump reached the relay: the line is done there, and its order ready everywhere.
  await card(wok, id!).waitFor({ state: 'detached', timeout: 15_000 });
  await card(kiosk, id!).and(kiosk.locator('[data-status="ready"]')).waitFor();
  await card(expo, id!).and(expo.locator('[data-status="ready"]')).waitFor();
  await wok.locator('[data-testid="rejected"]').waitFor({ state: 'hidden' });
  expect(await cardIds(expo)).toEqual([id]);
});

/** Counts, in the page, the moments a card it once showed was gone (a list redraw is one task). */
async function watchCardPresence(page: Page, orderId: string): Promise<() => Promise<number>> {
  await page.evaluate((id) => {
    const selector = `[data-testid="order-card"][data-order-id="${id}"]`;
    const state = { seen: false, missing: 0 };
    (window as unknown as { cardPresence: typeof state }).cardPresence = state;
    setInterval(() => {
      const present = document.querySelector(selector) !== null;
      if (present) state.seen = true;
      else if (state.seen) state.missing += 1;
    }, 20);
  }, orderId);
  return () =>
    page.evaluate(
      () => (window as unknown as { cardPresence: { missing: number } }).cardPresence.missing,
    );
}

test("a kitchen first opened while the relay is down keeps central's ticket when the relay's first snapshot lacks it", async () => {
  const d = demo();
  const kiosk = await d.open(d.kioskUrl());
  await kioskReady(kiosk);
  await d.relay.stop('SIGKILL');
  // A new tablet: it has never reached the relay, only central.
  const kitchen = await d.open(d.kitchenUrl(1));
  await kitchenReady(kitchen);
  await waitForText(kitchen, 'connection-mode', ['central_only']);
  const [id] = await placeOrder(kiosk, [101]);
  await card(kitchen, id!).waitFor({ timeout: VIA_CENTRAL_WITHIN_MS });
  await waitForText(kiosk, 'pending-count', ['1']);
  // The kiosk is switched off with the order still in its outbox for the relay.
  const kioskContext = kiosk.context();
  await kiosk.close();
  const missing = await watchCardPresence(kitchen, id!);

  // The relay is back without the order: its first snapshot to this kitchen does not list it.
  await d.relay.start();
  await waitForText(kitchen, 'connection-mode', ['connected'], 30_000);
  await card(kitchen, id!).locator('[data-testid="bump"]').click();
  await card(kitchen, id!).and(kitchen.locator('[data-status="preparing"]')).waitFor();

  // The kiosk comes back and delivers its copy; the bump made meanwhile lands on it.
  const kioskAgain = await kioskContext.newPage();
  await kioskAgain.goto(d.kioskUrl());
  await waitForText(kioskAgain, 'pending-count', ['0'], 30_000);
  await card(kioskAgain, id!).and(kioskAgain.locator('[data-status="preparing"]')).waitFor();
  await kitchen.locator('[data-testid="rejected"]').waitFor({ state: 'hidden' });
  expect(await cardIds(kitchen)).toEqual([id]);
  expect(await missing()).toBe(0);
});
