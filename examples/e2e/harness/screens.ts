import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Demo } from './demo';

export const RESULTS_DIR = fileURLToPath(new URL('../test-results', import.meta.url));

/** The menu is on screen in a page the service worker serves (after its first-visit reload). */
export async function kioskReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-sw="controlled"] [data-testid="cart-add"]');
}

/** The feed is loaded in a page the service worker serves (after its first-visit reload). */
export async function kitchenReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-sw="controlled"][data-feed="ready"]');
}

/**
 * Opens a kitchen per tenant, then a kiosk, and waits until every screen is ready; returns the
 * screens in that order.
 */
export async function openScreens<T extends number[]>(
  demo: Demo,
  ...tenants: T
): Promise<[...{ [K in keyof T]: Page }, Page]> {
  const kitchens: Page[] = [];
  for (const tenant of tenants) kitchens.push(await demo.open(demo.kitchenUrl(tenant)));
  const kiosk = await demo.open(demo.kioskUrl());
  await Promise.all([...kitchens.map(kitchenReady), kioskReady(kiosk)]);
  return [...kitchens, kiosk] as [...{ [K in keyof T]: Page }, Page];
}

async function orderIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="order-card"]')
    .evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.orderId ?? ''));
}

export async function addToCart(page: Page, productIds: number[]): Promise<void> {
  for (const id of productIds) {
    await page.click(`[data-testid="cart-add"][data-product-id="${id}"]`);
  }
}

/** Adds the products to the cart and checks out; returns the ids of the orders it created. */
export async function placeOrder(
  page: Page,
  productIds: number[],
  customerName = '',
): Promise<string[]> {
  const before = new Set(await orderIds(page));
  await addToCart(page, productIds);
  if (customerName) await page.fill('#customer-name', customerName);
  await page.click('[data-testid="place-order"]');
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="order-card"]').length > count,
    before.size,
  );
  return (await orderIds(page)).filter((id) => !before.has(id));
}

/**
 * Waits out a kitchen screen's tap guard (taps on the cards do nothing for 500 ms after one
 * acted), as a cook's next deliberate tap does.
 */
export async function tapsOpen(page: Page): Promise<void> {
  await page.locator('#tickets:not([data-tap-guard])').waitFor({ state: 'attached' });
}

export function card(page: Page, orderId: string) {
  return page.locator(`[data-testid="order-card"][data-order-id="${orderId}"]`);
}

export async function cardIds(page: Page): Promise<string[]> {
  return orderIds(page);
}

export async function text(page: Page, testId: string): Promise<string> {
  return (await page.locator(`[data-testid="${testId}"]`).first().textContent())?.trim() ?? '';
}

/** Waits until a `data-testid` element shows exactly one of the texts. */
export async function waitForText(
  page: Page,
  testId: string,
  texts: string[],
  timeoutMs = 15_000,
): Promise<void> {
  await page.waitForFunction(
    ([id, wanted]) => {
      const node = document.querySelector(`[data-testid="${id}"]`);
      return wanted.includes(node?.textContent?.trim() ?? '');
    },
    [testId, texts] as const,
    { timeout: timeoutMs },
  );
}

export async function screenshot(
  page: Page,
  dir: string,
  name: string,
  fullPage = true,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
