import { expect, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('a late-night outlet in Bali: checkouts at 23:58 and 00:01 get A001 and A002, not A001 twice', async () => {
  const d = demo();
  const bali = { timezoneId: 'Asia/Makassar' }; // WITA, UTC+8
  const pickup = await d.open(d.pickupUrl(), undefined, bali);
  const kiosk = await d.open(
    d.kioskUrl(),
    (page) => page.clock.install({ time: new Date('2026-12-05T15:57:30Z') }), // 23:57:30 WITA
    bali,
  );
  await Promise.all([kitchenReady(pickup), kioskReady(kiosk)]);
  const [beforeMidnight] = await placeOrder(kiosk, [101]);
  await kiosk.clock.fastForward('04:00');
  expect(await kiosk.evaluate(() => new Date().getHours())).toBe(0); // 00:01 WITA
  const [afterMidnight] = await placeOrder(kiosk, [102]);

  const shown = async (orderId: string) => {
    const number = pickup.locator(`[data-testid="pickup-number"][data-order-id="${orderId}"]`);
    await number.waitFor();
    return [await card(kiosk, orderId).locator('b').textContent(), await number.textContent()];
  };
  expect(await shown(beforeMidnight!)).toEqual(['#A001', 'A001']);
  expect(await shown(afterMidnight!)).toEqual(['#A002', 'A002']);
});
