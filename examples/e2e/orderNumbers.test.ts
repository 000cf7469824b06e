import { expect, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('each checkout gets its own queue number, the same on the receipt, the kitchen ticket and the pickup board', async () => {
  const d = demo();
  const kitchen = await d.open(d.kitchenUrl(1));
  const pickup = await d.open(d.pickupUrl());
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kitchenReady(pickup), kioskReady(kiosk)]);
  const [first] = await placeOrder(kiosk, [101]);
  const [second] = await placeOrder(kiosk, [102]);

  const shown = async (orderId: string) => {
    await card(kitchen, orderId).waitFor();
    const number = pickup.locator(`[data-testid="pickup-number"][data-order-id="${orderId}"]`);
    await number.waitFor();
    return [
      await card(kiosk, orderId).locator('b').textContent(),
      await card(kitchen, orderId).locator('.number').textContent(),
      await number.textContent(),
    ];
  };
  expect(await shown(first!)).toEqual(['#A001', '#A001', 'A001']);
  expect(await shown(second!)).toEqual(['#A002', '#A002', 'A002']);
});
