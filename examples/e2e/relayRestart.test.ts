import { expect, test } from 'vitest';
import { cardIds, openScreens, placeOrder, text, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('relay killed: the kiosk keeps taking orders; restarted: each arrives once, pending drains', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 1);
  await waitForText(kitchen, 'connection-mode', ['connected']);
  const before = await placeOrder(kiosk, [101]);
  await kitchen.locator(`[data-order-id="${before[0]}"]`).waitFor();
  // Its ack too: the kitchen may show an order before the kiosk has the relay's ack, and a
  // relay killed in between leaves it pending (4, not 3, below; CI saw it under load).
  await waitForText(kiosk, 'pending-count', ['0']);

  await d.relay.stop('SIGKILL');
  // Central is up: the kitchen keeps its central link (relayDownCentral.test.ts).
  await waitForText(kitchen, 'connection-mode', ['central_only']);

  const during: string[] = [];
  for (const product of [102, 103, 104]) during.push(...(await placeOrder(kiosk, [product])));
  await waitForText(kiosk, 'pending-count', ['3']);
  expect(await text(kiosk, 'pending-count')).toBe('3');

  await d.relay.start();
  await waitForText(kiosk, 'pending-count', ['0'], 30_000);
  await waitForText(kitchen, 'connection-mode', ['connected'], 30_000);
  await kitchen.waitForFunction(
    (count) => document.querySelectorAll('[data-testid="order-card"]').length >= count,
    4,
    { timeout: 15_000 },
  );

  const shown = await cardIds(kitchen);
  expect([...shown].sort()).toEqual([...before, ...during].sort());
  expect(new Set(shown).size).toBe(shown.length);
});
