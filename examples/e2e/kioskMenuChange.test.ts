import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { kioskReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

/** The price a product's card shows, or null when the product is not on the screen. */
async function priceShown(page: Page, id: number): Promise<string | null> {
  const card = page.locator('article.product', {
    has: page.locator(`[data-testid="cart-add"][data-product-id="${id}"]`),
  });
  return (await card.count()) === 0 ? null : card.locator('.row b').first().textContent();
}

test('an open kiosk follows its own background refresh: new price, sold-out and removed items gone, cart re-priced', async () => {
  const d = demo();
  // The page's clock is fake (and runs): the hourly refresh comes in a moment.
  const kiosk = await d.open(d.kioskUrl(), (page) => page.clock.install());
  await kioskReady(kiosk);
  expect(await priceShown(kiosk, 101)).toBe('Rp25.000');
  // The promotion's badge and the price the cart charges agree (Happy Hour Kopi, 20% off).
  expect(await priceShown(kiosk, 301)).toBe('Rp17.600');
  await kiosk.click('[data-testid="cart-add"][data-product-id="101"]');
  await kiosk.click('[data-testid="cart-add"][data-product-id="102"]');
  await expect.poll(() => kiosk.locator('#cart-total').textContent()).toBe('Rp60.000');

  // 18:00 at central: 101 repriced, 102 sold out, 103 withdrawn.
  d.central.changeProduct(101, { price: '31000' });
  d.central.changeProduct(102, { is_available: false });
  d.central.removeProduct(103);
  await kiosk.clock.fastForward('01:01:00');

  await expect
    .poll(() => priceShown(kiosk, 101), { timeout: 15_000, interval: 200 })
    .toBe('Rp31.000');
  expect(await priceShown(kiosk, 102)).toBeNull();
  expect(await priceShown(kiosk, 103)).toBeNull();
  expect(await kiosk.locator('#cart-lines li').count()).toBe(1);
  expect(await kiosk.locator('#cart-total').textContent()).toBe('Rp31.000');
  const notice = await kiosk.locator('[data-testid="cart-notice"]').textContent();
  expect(notice).toContain('Rp31.000');
  expect(notice).toContain('Nasi Goreng Seafood habis');

  await kiosk.click('[data-testid="cart-add"][data-product-id="301"]');
  await kiosk.click('[data-testid="place-order"]');
  await expect.poll(() => d.central.orderGroups.length, { timeout: 20_000, interval: 200 }).toBe(1);
  const items = d.central.orderGroups[0]!.orders.flatMap((o) => o.items);
  expect(items.map((i) => [i.product_id, i.price])).toEqual([
    [101, '31000'],
    [301, '17600'],
  ]);
  expect(d.central.orderGroups[0]!.total_amount).toBe('48600');
});
