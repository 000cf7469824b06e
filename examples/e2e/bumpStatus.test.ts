import { expect, test } from 'vitest';
import {
  addToCart,
  card,
  openScreens,
  placeOrder,
  RESULTS_DIR,
  screenshot,
  tapsOpen,
} from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('each bump in the kitchen (preparing, ready, completed) shows on the kiosk', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 1);
  const [done] = await placeOrder(kiosk, [108], 'Sari');
  const [cooking] = await placeOrder(kiosk, [101, 104, 109], 'Budi');
  const [waiting] = await placeOrder(kiosk, [103], 'Ayu');
  for (const id of [done, cooking, waiting]) await card(kitchen, id!).waitFor();

  for (const status of ['preparing', 'ready', 'completed']) {
    await tapsOpen(kitchen);
    await card(kitchen, done!).locator('[data-testid="bump"]').click();
    await card(kiosk, done!)
      .and(kiosk.locator(`[data-status="${status}"]`))
      .waitFor();
  }
  await tapsOpen(kitchen);
  await card(kitchen, cooking!).locator('[data-testid="bump"]').click();
  await card(kiosk, cooking!).and(kiosk.locator('[data-status="preparing"]')).waitFor();

  // Completed leaves the board and waits in the recall list.
  await card(kitchen, done!).waitFor({ state: 'detached' });
  await kitchen.locator(`[data-recall="${done}"]`).waitFor();
  expect(await card(kiosk, waiting!).getAttribute('data-status')).toBe('pending');

  // Recall reopens the handed-out order at the relay (order:recall): back on this screen
  // and on the kiosk as preparing, and no longer offered for recall.
  await kitchen.click(`[data-recall="${done}"]`);
  await card(kitchen, done!).and(kitchen.locator('[data-status="preparing"]')).waitFor();
  await card(kiosk, done!).and(kiosk.locator('[data-status="preparing"]')).waitFor();
  await kitchen.locator(`[data-recall="${done}"]`).waitFor({ state: 'detached' });
  // Ready and handed out a second time: new changes (a higher version), not copies of the
  // first pass, so the kiosk follows them too.
  for (const status of ['ready', 'completed']) {
    await tapsOpen(kitchen);
    await card(kitchen, done!).locator('[data-testid="bump"]').click();
    await card(kiosk, done!)
      .and(kiosk.locator(`[data-status="${status}"]`))
      .waitFor();
  }
  await card(kitchen, done!).waitFor({ state: 'detached' });
  expect(await kitchen.locator('[data-testid="rejected-entry"]').count()).toBe(0);

  // The screens as a person sees them mid-service; docs/screenshots/ holds a copy.
  await addToCart(kiosk, [301, 305, 201]);
  await kiosk.fill('#customer-name', 'Dewi');
  await kiosk.evaluate(() => window.scrollTo(0, 0));
  await screenshot(kiosk, RESULTS_DIR, 'kiosk', false);
  await screenshot(kitchen, RESULTS_DIR, 'kitchen', false);
});
