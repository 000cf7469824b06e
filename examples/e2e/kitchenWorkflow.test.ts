import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { Demo } from './harness/demo';
import {
  addToCart,
  card,
  cardIds,
  kioskReady,
  kitchenReady,
  RESULTS_DIR,
  screenshot,
  tapsOpen,
} from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

// Warung Nusantara (tenant 1): 101 Nasi Goreng Kampung is cooked at the wok (a main, course
// 2), 108 Sate Ayam at the grill (course 1).
const WOK_DISH = 101;
const GRILL_DISH = 108;

interface Screens {
  wok: Page;
  grill: Page;
  expo: Page;
  kiosk: Page;
  pickup: Page;
}

/**
 * What the page's sockets (relay or central) received, as devtools shows it: the pickup board
 * hangs where guests can reach it, so no guest data may be in there.
 */
function recordSocketFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => void frames.push(String(payload))),
  );
  return frames;
}

let pickupFrames: string[] = [];

async function openWorkflow(d: Demo): Promise<Screens> {
  const wok = await d.open(d.kitchenModeUrl(1, { station: 'wok' }));
  const grill = await d.open(d.kitchenModeUrl(1, { station: 'grill' }));
  const expo = await d.open(d.kitchenModeUrl(1, { expo: '' }));
  const pickup = await d.open(d.pickupUrl(), (page) => {
    pickupFrames = recordSocketFrames(page);
  });
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([...[wok, grill, expo, pickup].map(kitchenReady), kioskReady(kiosk)]);
  return { wok, grill, expo, kiosk, pickup };
}

/** Checks out the cart (optionally holding the mains) and returns the new order's id. */
async function checkout(kiosk: Page, products: number[], holdMains = false): Promise<string> {
  const before = new Set(await cardIds(kiosk));
  await addToCart(kiosk, products);
  await kiosk.fill('#customer-name', 'Rina');
  if (holdMains) await kiosk.check('[data-testid="hold-mains"]');
  await kiosk.click('[data-testid="place-order"]');
  await kiosk.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="order-card"]').length > count,
    before.size,
  );
  const [id] = (await cardIds(kiosk)).filter((x) => !before.has(x));
  return id!;
}

const pickupNumber = (page: Page, orderId: string) =>
  page.locator(`[data-testid="pickup-number"][data-order-id="${orderId}"]`);

const progress = (page: Page, orderId: string, station: string) =>
  card(page, orderId).locator(`[data-testid="station-progress"][data-station="${station}"]`);

test('two stations bump their lines, expo sees the ticket complete, kiosk and pickup board see it ready; a recall reopens it', async () => {
  const s = await openWorkflow(demo());
  const id = await checkout(s.kiosk, [WOK_DISH, GRILL_DISH]);

  // Each station sees only its own line; expo sees the whole ticket; the guest sees the number.
  await card(s.wok, id).waitFor();
  await card(s.grill, id).waitFor();
  expect(await card(s.wok, id).locator('[data-testid="line"]').count()).toBe(1);
  expect(await card(s.grill, id).locator('[data-testid="line"]').count()).toBe(1);
  expect(await card(s.expo, id).locator('[data-testid="line"]').count()).toBe(2);
  await pickupNumber(s.pickup, id).and(s.pickup.locator('[data-state="preparing"]')).waitFor();
  // The all-day panel counts what each screen still has to make.
  expect(await s.wok.locator('[data-testid="all-day"]').allTextContents()).toEqual([
    '1Nasi Goreng Kampung',
  ]);

  await card(s.wok, id).locator('[data-testid="bump-lines"]').click();
  await card(s.wok, id).waitFor({ state: 'detached' });
  await progress(s.expo, id, 'wok').and(s.expo.locator('[data-done="true"]')).waitFor();
  expect(await card(s.expo, id).getAttribute('data-ready')).toBe('false');

  await card(s.grill, id).locator('[data-testid="bump-lines"]').click();
  await card(s.expo, id).and(s.expo.locator('[data-ready="true"][data-status="ready"]')).waitFor();
  await card(s.kiosk, id).and(s.kiosk.locator('[data-status="ready"]')).waitFor();
  await pickupNumber(s.pickup, id).and(s.pickup.locator('[data-state="ready"]')).waitFor();
  expect(Number(await s.pickup.locator('body').getAttribute('data-chimes'))).toBeGreaterThan(0);

  // The grill recalls its bump: the ticket is back on the grill and open again everywhere.
  await s.grill.click(`[data-recall-lines="${id}"]`);
  await card(s.grill, id).waitFor();
  await card(s.expo, id).and(s.expo.locator('[data-ready="false"]')).waitFor();
  await card(s.kiosk, id).and(s.kiosk.locator('[data-status="preparing"]')).waitFor();
  await pickupNumber(s.pickup, id).and(s.pickup.locator('[data-state="preparing"]')).waitFor();

  await tapsOpen(s.grill);
  await card(s.grill, id).locator('[data-testid="bump-lines"]').click();
  await card(s.expo, id).and(s.expo.locator('[data-status="ready"]')).waitFor();
  // Expo hands it out: gone from expo and from the pickup board, completed on the kiosk.
  await card(s.expo, id).locator('[data-testid="bump"]').click();
  await card(s.expo, id).waitFor({ state: 'detached' });
  await pickupNumber(s.pickup, id).waitFor({ state: 'detached' });
  await card(s.kiosk, id).and(s.kiosk.locator('[data-status="completed"]')).waitFor();

  // The board's socket carried the order (its id) but not the guest's name nor the dishes: it
  // reads with a board token, which gets orders without guest data.
  const received = pickupFrames.join('\n');
  expect(received).toContain(id);
  for (const guestData of ['Rina', 'customer_name', 'Nasi Goreng Kampung', 'Sate Ayam']) {
    expect(received).not.toContain(guestData);
  }
});

test('a held course waits on its station until the cashier fires it; rush puts a ticket first; the bump bar bumps by key', async () => {
  const s = await openWorkflow(demo());
  const first = await checkout(s.kiosk, [GRILL_DISH]);
  const held = await checkout(s.kiosk, [WOK_DISH, GRILL_DISH], true);

  // The mains (wok) are held: shown, marked, no bump; the grill's course 1 starts at once.
  await card(s.wok, held).and(s.wok.locator('[data-held="true"]')).waitFor();
  expect(await card(s.wok, held).locator('[data-line-status="held"]').count()).toBe(1);
  expect(await card(s.wok, held).locator('[data-testid="bump-lines"]').count()).toBe(0);
  await card(s.grill, held).locator('[data-testid="bump-lines"]').waitFor();

  // Rush: the later order jumps ahead of the first on the grill.
  expect(await cardIds(s.grill)).toEqual([first, held]);
  await card(s.kiosk, held).locator('[data-testid="order-rush"]').click();
  await card(s.grill, held).locator('.rush').waitFor();
  expect(await cardIds(s.grill)).toEqual([held, first]);
  await screenshot(s.kiosk, RESULTS_DIR, 'kiosk-hold-rush', false);

  await card(s.kiosk, held).locator('[data-testid="order-fire"]').click();
  await card(s.wok, held).and(s.wok.locator('[data-held="false"]')).waitFor();
  await card(s.wok, held).locator('[data-testid="bump-lines"]').click();
  await card(s.wok, held).waitFor({ state: 'detached' });
  await progress(s.expo, held, 'wok').and(s.expo.locator('[data-done="true"]')).waitFor();

  // The bump bar: 2 selects the grill's second ticket, Enter bumps it.
  await s.grill.keyboard.press('2');
  await card(s.grill, first).and(s.grill.locator('[data-selected="true"]')).waitFor();
  await s.grill.keyboard.press('Enter');
  await card(s.grill, first).waitFor({ state: 'detached' });
  expect(await cardIds(s.grill)).toEqual([held]);
});
