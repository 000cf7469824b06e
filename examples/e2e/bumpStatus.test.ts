import { expect, test } from 'vitest';
import {
  card,
  kioskReady,
  kitchenReady,
  placeOrder,
  RESULTS_DIR,
  screenshot,
} from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('a bump in the kitchen shows the new status on the kiosk', async () => {
  const d = demo();
  const kitchen = await d.open(d.kitchenUrl(1));
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  const [first] = await placeOrder(kiosk, [101, 104, 109]);
  const [second] = await placeOrder(kiosk, [103, 305]);
  await card(kitchen, first!).waitFor();

  for (const status of ['preparing', 'ready']) {
    await card(kitchen, first!).locator('[data-testid="bump"]').click();
    await card(kiosk, first!)
      .and(kiosk.locator(`[data-status="${status}"]`))
      .waitFor();
  }
  expect(await card(kitchen, first!).getAttribute('data-status')).toBe('ready');
  expect(await card(kiosk, second!).getAttribute('data-status')).toBe('pending');

  // The screens as a person sees them mid-service (docs/screenshots come from these).
  await screenshot(kiosk, RESULTS_DIR, 'kiosk');
  await screenshot(kitchen, RESULTS_DIR, 'kitchen');
});
