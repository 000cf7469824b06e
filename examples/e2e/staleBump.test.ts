import { expect, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

// Warung Nusantara (tenant 1): 108 Sate Ayam is cooked at the grill.
const GRILL_DISH = 108;

test('a bump made offline that another grill screen overtook shows as not sent, and goes again on the current version', async () => {
  const d = demo();
  const offline = await d.open(d.kitchenModeUrl(1, { station: 'grill' }));
  const other = await d.open(d.kitchenModeUrl(1, { station: 'grill' }));
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(offline), kitchenReady(other), kioskReady(kiosk)]);
  const [id] = await placeOrder(kiosk, [GRILL_DISH], 'Rina');
  await card(offline, id!).waitFor();
  await card(other, id!).waitFor();

  // The tablet loses the network and its cook bumps: the bump waits in its outbox.
  await offline.context().setOffline(true);
  await waitForText(offline, 'connection-mode', ['disconnected', 'polling']);
  await card(offline, id!).locator('[data-testid="bump-lines"]').click();
  // Meanwhile the other grill screen bumps the line and recalls it: it is cooking again, at a
  // version the offline tablet never saw.
  await card(other, id!).locator('[data-testid="bump-lines"]').click();
  await other.click(`[data-recall-lines="${id}"]`);
  await card(other, id!).locator('[data-testid="bump-lines"]').waitFor();

  // Back online, the relay answers the bump `stale` and changes nothing: the tablet says so.
  await offline.context().setOffline(false);
  const entry = offline.locator(`[data-testid="rejected-entry"][data-order-id="${id}"]`);
  await entry.and(offline.locator('[data-code="stale"]')).waitFor();
  await card(offline, id!).locator('[data-testid="bump-lines"]').waitFor();
  expect(await card(other, id!).count()).toBe(1);

  // "Kirim lagi" sends it on the line's current version: done on both grill screens.
  await entry.locator('[data-retry]').click();
  await card(other, id!).waitFor({ state: 'detached' });
  await card(offline, id!).waitFor({ state: 'detached' });
  await offline.locator('[data-testid="rejected"]').waitFor({ state: 'hidden' });
});
