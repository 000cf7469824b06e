import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder, waitForText } from '../harness/screens';
import { useLan } from '../harness/useLan';

// Shape b: the relay serves the built PWAs itself, so they share its origin: a secure context
// on the LAN, a service worker, and no Local Network Access prompt at all.
const lan = useLan();

test('pages served by the relay work without the internet, also when loaded afresh', async () => {
  const pagesDir = inject('pagesDir');
  const site = await lan.site({
    relayArgs: [
      '--app',
      `/kiosk/=${join(pagesDir, 'kiosk')}`,
      '--app',
      `/kitchen/=${join(pagesDir, 'kitchen')}`,
    ],
  });
  const relayBase = site.relayUrl;
  // 'unanswered': a prompt nobody answers blocks any cross-space request, so these pages
  // only work because they never make one.
  const kitchen = await site.open(site.kitchenUrl(1, `${relayBase}/kitchen`), 'unanswered');
  const kiosk = await site.open(site.kioskUrl(`${relayBase}/kiosk`), 'unanswered');
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  const [first] = await placeOrder(kiosk, [105]);
  await card(kitchen, first!).waitFor();

  await site.cloudDown();

  // A tablet booting with the internet down: a new tab of the same browser profile.
  const kioskAgain = await kiosk.context().newPage();
  const kitchenAgain = await kitchen.context().newPage();
  await Promise.all([kiosk.close(), kitchen.close()]);
  await kitchenAgain.goto(site.kitchenUrl(1, `${relayBase}/kitchen`));
  await kioskAgain.goto(site.kioskUrl(`${relayBase}/kiosk`));
  await Promise.all([kitchenReady(kitchenAgain), kioskReady(kioskAgain)]);
  await waitForText(kitchenAgain, 'connection-mode', ['connected']);

  const [second] = await placeOrder(kioskAgain, [106]);
  await card(kitchenAgain, second!).waitFor();
  await card(kitchenAgain, first!).waitFor();
  await waitForText(kioskAgain, 'pending-count', ['0']);
  expect(await kioskAgain.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(
    /\/kiosk\/sw\.js$/,
  );
});
