import { expect, test } from 'vitest';
import { cardIds, kitchenReady, openScreens, placeOrder } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('a kitchen reloaded with no network at all still shows its tickets', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 3);
  const placed = [...(await placeOrder(kiosk, [301])), ...(await placeOrder(kiosk, [305, 306]))];
  for (const id of placed) await kitchen.locator(`[data-order-id="${id}"]`).waitFor();

  await d.relay.stop('SIGKILL');
  await d.central.setOutage(true);
  await kitchen.context().setOffline(true);
  await kitchen.reload();
  await kitchenReady(kitchen);

  expect((await cardIds(kitchen)).sort()).toEqual([...placed].sort());
});
