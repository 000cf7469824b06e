import { expect, test } from 'vitest';
import { connectionProblem, waitForConnectionProblem } from '../harness/lanScreens';
import { card, kioskReady, kitchenReady, placeOrder, text, waitForText } from '../harness/screens';
import { setLocalNetworkAccess } from '../harness/trustedBrowser';
import { useLan } from '../harness/useLan';

// Shape a, the users' setup: kiosk and kitchen PWAs from the cloud over HTTPS, the relay at
// wss://relay.outlet.lan on the outlet's (private) network.
const lan = useLan();

test('Local Network Access granted: an order reaches the kitchen over wss, its status comes back', async () => {
  // The relay's own --tls auto certificate, checked by Chromium against the outlet CA.
  const site = await lan.site({ relay: 'auto' });
  const kitchen = await site.open(site.kitchenUrl(1));
  const kiosk = await site.open(site.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  await waitForText(kitchen, 'connection-mode', ['connected']);

  const [id] = await placeOrder(kiosk, [101], 'Ayu');
  await card(kitchen, id!).waitFor();
  await waitForText(kiosk, 'pending-count', ['0']);

  // The kitchen talks to the relay only, so the status reaching the kiosk came through it.
  await card(kitchen, id!).locator('[data-testid="bump"]').click();
  await card(kiosk, id!).and(kiosk.locator('[data-status="preparing"]')).waitFor();
  expect(await connectionProblem(kiosk)).toBe('');
});

test('Local Network Access denied: the kiosk says local_network_denied, keeps the order, and sends it once granted', async () => {
  const site = await lan.site();
  const kitchen = await site.open(site.kitchenUrl(1));
  const kiosk = await site.open(site.kioskUrl(), 'denied');
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  await waitForConnectionProblem(kiosk, 'local_network_denied');

  const [id] = await placeOrder(kiosk, [102], 'Budi');
  await waitForText(kiosk, 'pending-count', ['1']);
  await waitForConnectionProblem(kiosk, 'local_network_denied');
  expect(await text(kiosk, 'pending-count')).toBe('1');

  await setLocalNetworkAccess(kiosk.context(), new URL(kiosk.url()).origin, 'granted');
  await waitForText(kiosk, 'pending-count', ['0'], 30_000);
  await card(kitchen, id!).waitFor();
  await waitForText(kiosk, 'connection-mode', ['connected']);
  expect(await connectionProblem(kiosk)).toBe('');
});
