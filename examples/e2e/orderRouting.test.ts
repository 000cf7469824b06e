import { expect, test } from 'vitest';
import { card, cardIds, openScreens, placeOrder, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('an order placed in the kiosk reaches its tenant kitchen within 1 s, and only that one', async () => {
  const d = demo();
  const [kitchen1, kitchen2, kiosk] = await openScreens(d, 1, 2);
  await waitForText(kitchen1, 'connection-mode', ['connected']);
  await waitForText(kitchen2, 'connection-mode', ['connected']);

  // Warung Nusantara (tenant 1) only.
  await kiosk.click('[data-testid="cart-add"][data-product-id="101"]');
  await kiosk.click('[data-testid="cart-add"][data-product-id="106"]');
  await kiosk.click('[data-testid="place-order"]');
  const arrived = kitchen1.waitForSelector('[data-testid="order-card"]', { timeout: 1_000 });
  await expect(arrived).resolves.toBeTruthy();
  const [tenant1Order] = await cardIds(kitchen1);
  expect(await cardIds(kiosk)).toContain(tenant1Order);

  // A tenant-2 order after it: once kitchen 2 has that one, a leak of the first would be there
  // too, because the relay delivers in seq order.
  const [tenant2Order] = await placeOrder(kiosk, [201]);
  await card(kitchen2, tenant2Order!).waitFor({ timeout: 5_000 });
  expect(await cardIds(kitchen2)).toEqual([tenant2Order]);
  expect(await cardIds(kitchen1)).toEqual([tenant1Order]);
});
