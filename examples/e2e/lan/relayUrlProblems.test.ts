import { expect, inject, onTestFinished, test } from 'vitest';
import { servePageAt } from '../harness/httpsPages';
import { RELAY_HOST } from '../harness/lanCertificates';
import { waitForConnectionProblem } from '../harness/lanScreens';
import { kioskReady, kitchenReady, placeOrder, text, waitForText } from '../harness/screens';
import { OUTLET_IP } from '../harness/trustedBrowser';
import { useLan } from '../harness/useLan';

// What an HTTPS page says when the relay it was given cannot work from it.
const lan = useLan();

// A browser page cannot tell a refused certificate from a relay that is down (both are a
// failed WebSocket), so the client reports it as unreachable, with that hint in its details.
const UNTRUSTED_CODE = 'relay_unreachable';

test('a ws:// relay URL from an HTTPS page: relay_insecure_url, and the order waits', async () => {
  const site = await lan.site({ relay: 'plain' });
  expect(site.relayUrl).toMatch(/^http:\/\/relay\.outlet\.lan:/);
  const kitchen = await site.open(site.kitchenUrl(1));
  const kiosk = await site.open(site.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  await waitForConnectionProblem(kitchen, 'relay_insecure_url');
  await waitForConnectionProblem(kiosk, 'relay_insecure_url');

  await placeOrder(kiosk, [103]);
  await waitForText(kiosk, 'pending-count', ['1']);
  expect(await text(kitchen, 'connection-mode')).not.toBe('connected');
});

test('a relay certificate from a CA the browser does not trust: relay_unreachable, and the order waits', async () => {
  const site = await lan.site({ relay: 'untrusted' });
  const kiosk = await site.open(site.kioskUrl());
  await kioskReady(kiosk);
  await waitForConnectionProblem(kiosk, UNTRUSTED_CODE);
  // The operator's way out: the relay's setup page, to install the outlet CA.
  expect(await kiosk.locator('[data-testid="connection-reason"] a').getAttribute('href')).toBe(
    `${site.relayUrl}/setup`,
  );
  await placeOrder(kiosk, [104]);
  await waitForText(kiosk, 'pending-count', ['1']);
  expect(await text(kiosk, 'connection-mode')).not.toBe('connected');
});

test('an http:// relay URL for a relay that serves HTTPS only, from an http page on the LAN: relay_https_only', async () => {
  const site = await lan.site({ relay: 'auto', advertisedScheme: 'http' });
  expect(site.relayUrl).toMatch(/^http:\/\/relay\.outlet\.lan:/);
  // A kitchen page served over plain http from the outlet's network: no mixed content to
  // block the relay URL, so only the relay's own answer can say what is wrong.
  const pages = await servePageAt('kitchen', inject('pagesDir'), {
    hostName: RELAY_HOST,
    ip: OUTLET_IP,
  });
  onTestFinished(() => pages.close());
  const kitchen = await site.open(site.kitchenUrl(1, pages.url), 'unanswered');
  expect(await kitchen.evaluate(() => isSecureContext)).toBe(false);
  await waitForConnectionProblem(kitchen, 'relay_https_only');
  expect(await text(kitchen, 'connection-reason')).toContain('https://');
});
