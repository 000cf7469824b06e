import { expect, test } from 'vitest';
import { card, openScreens, placeOrder, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('central down: the kitchen still gets the order via the relay; central books it once on return', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 2);
  await waitForText(kiosk, 'network-mode', ['online']);

  await d.central.setOutage(true);
  await waitForText(kiosk, 'network-mode', ['local']);

  const [orderId] = await placeOrder(kiosk, [201, 205]);
  await card(kitchen, orderId!).waitFor({ timeout: 5_000 });
  await waitForText(kiosk, 'central-queue', ['1']);
  expect(d.central.orderGroups).toHaveLength(0);

  await d.central.setOutage(false);
  await waitForText(kiosk, 'network-mode', ['online']);
  await expect.poll(() => d.central.orderGroups.length, { timeout: 20_000, interval: 200 }).toBe(1);
  await waitForText(kiosk, 'central-queue', ['0']);

  // A later checkout goes straight through; the replayed one is still booked exactly once.
  const [later] = await placeOrder(kiosk, [202]);
  await expect.poll(() => d.central.orderGroups.length, { timeout: 10_000, interval: 200 }).toBe(2);
  const booked = d.central.orderGroups.flatMap((group) => group.orders.map((o) => o.order_id));
  expect(booked).toEqual([orderId, later]);
});
