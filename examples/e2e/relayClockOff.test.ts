import { expect, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();
const HOUR = 3_600_000;

test("a relay PC 5 h behind: a new ticket starts at 0:0x and turns late 10 min later on the kitchen's screen, which warns of the clocks", async () => {
  const d = demo();
  d.shiftRelayClock(-5 * HOUR);
  // The kitchen's clock is Playwright's, so ten minutes pass at once; it starts at the true time.
  const kitchen = await d.open(d.kitchenUrl(1), (page) => page.clock.install());
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  const warning = kitchen.locator('[data-testid="clock-warning"]');
  await warning.waitFor();
  expect(await warning.textContent()).toMatch(
    /^Jam relay beda 5 jam dari tablet \(relay lebih lambat\)/,
  );

  const [orderId] = await placeOrder(kiosk, [101]);
  const ticket = card(kitchen, orderId!);
  await ticket.waitFor();
  expect(await ticket.locator('.age').textContent()).toMatch(/^0:0\d$/);
  expect(await ticket.getAttribute('data-age')).toBe('ok');
  await kitchen.clock.fastForward('10:05');
  await kitchen.waitForFunction(
    (id) => document.querySelector(`[data-order-id="${id}"]`)?.getAttribute('data-age') === 'late',
    orderId,
  );
  expect(await ticket.locator('.age').textContent()).toMatch(/^10:\d\d$/);
});
