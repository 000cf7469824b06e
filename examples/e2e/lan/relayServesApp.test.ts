import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { card, kioskReady, kitchenReady, placeOrder, waitForText } from '../harness/screens';
import { useLan } from '../harness/useLan';

// Shape b: the relay serves the built PWAs itself, so they share its origin: a secure context
// on the LAN, a service worker, and no Local Network Access prompt at all.
const lan = useLan();

function appFlags(pagesDir: string): string[] {
  return [
    '--app',
    `/kiosk/=${join(pagesDir, 'kiosk')}`,
    '--app',
    `/kitchen/=${join(pagesDir, 'kitchen')}`,
  ];
}

/** What a page may use: an http page on a LAN address is not a secure context. */
function secureContextApis(page: Page) {
  return page.evaluate(() => ({
    secure: isSecureContext,
    serviceWorker: 'serviceWorker' in navigator,
    randomUUID: typeof crypto.randomUUID,
    locks: 'locks' in navigator,
  }));
}

test('pages served by the relay work without the internet, also when loaded afresh', async () => {
  const pagesDir = inject('pagesDir');
  const site = await lan.site({ relay: 'auto', relayArgs: appFlags(pagesDir) });
  const relayBase = site.relayUrl;
  // 'unanswered': a prompt nobody answers blocks any cross-space request, so these pages
  // only work because they never make one.
  const kitchen = await site.open(site.kitchenUrl(1, `${relayBase}/kitchen`), 'unanswered');
  const kiosk = await site.open(site.kioskUrl(`${relayBase}/kiosk`), 'unanswered');
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  const [first] = await placeOrder(kiosk, [105]);
  await card(kitchen, first!).waitFor();

  // Someone types the relay's address with http://: the relay sends them on to https.
  const typed = await kitchen.context().newPage();
  site.pages.push(typed);
  await typed.goto(`${relayBase.replace(/^https:/, 'http:')}/setup`);
  expect(typed.url()).toBe(`${relayBase}/setup`);
  await typed.getByText('Set up a device for this relay').waitFor();
  // The staff who set up tablets read Indonesian: the page's own link switches to it.
  await typed.getByRole('link', { name: 'Bahasa Indonesia' }).click();
  await typed.getByText('Siapkan perangkat untuk relay ini').waitFor();
  expect(await typed.getAttribute('html', 'lang')).toBe('id');

  await site.cloudDown();

  // A tablet booting with the internet down: a new tab of the same browser profile.
  const kioskAgain = await kiosk.context().newPage();
  const kitchenAgain = await kitchen.context().newPage();
  site.pages.push(kioskAgain, kitchenAgain);
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

test('served over plain http from the LAN (no service worker, randomUUID or Web Locks): orders and bumps still flow', async () => {
  const site = await lan.site({ relay: 'plain', relayArgs: appFlags(inject('pagesDir')) });
  const relayBase = site.relayUrl;
  const kitchen = await site.open(site.kitchenUrl(1, `${relayBase}/kitchen`), 'unanswered');
  const kiosk = await site.open(site.kioskUrl(`${relayBase}/kiosk`), 'unanswered');
  expect(await secureContextApis(kiosk)).toEqual({
    secure: false,
    serviceWorker: false,
    randomUUID: 'undefined',
    locks: false,
  });
  // No worker will ever take control here, so ready means the menu and the feed are up.
  await Promise.all([
    kiosk.waitForSelector('[data-testid="cart-add"]'),
    kitchen.waitForSelector('body[data-feed="ready"]'),
  ]);
  await waitForText(kitchen, 'connection-mode', ['connected']);

  const [id] = await placeOrder(kiosk, [107]);
  await card(kitchen, id!).waitFor();
  // "Start" made the event id with crypto.randomUUID, which threw on such a page.
  await card(kitchen, id!).locator('[data-testid="bump"]').click();
  await card(kiosk, id!).and(kiosk.locator('[data-status="preparing"]')).waitFor();
  await waitForText(kiosk, 'pending-count', ['0']);
});
