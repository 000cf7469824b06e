import { expect, test } from 'vitest';
import { RELAY_HOST, reissueOutletCertificate } from '../harness/lanCertificates';
import { cardIds, kioskReady, kitchenReady, placeOrder, waitForText } from '../harness/screens';
import { servedCertificate } from '../harness/servedCertificate';
import { OUTLET_IP } from '../harness/trustedBrowser';
import { useLan } from '../harness/useLan';

const lan = useLan();

const ORDERS_PER_PHASE = 3;
const PRODUCTS = [101, 102, 103, 104, 105, 106, 107, 108, 109];

test('the relay renews its certificate mid-service: every order reaches the kitchen exactly once', async () => {
  const site = await lan.site();
  const served = () =>
    servedCertificate(OUTLET_IP, site.relay.port, RELAY_HOST, lan.certs.outlet.caCertPath);
  const kitchen = await site.open(site.kitchenUrl(1));
  const kiosk = await site.open(site.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  await waitForText(kitchen, 'connection-mode', ['connected']);
  const before = await served();

  const placed: string[] = [];
  const placeSome = async (products: number[]) => {
    for (const product of products) placed.push(...(await placeOrder(kiosk, [product])));
  };
  await placeSome(PRODUCTS.slice(0, ORDERS_PER_PHASE));

  // The certificate files are rewritten and the relay told, while the kiosk keeps ordering.
  const renewal = (async () => {
    await reissueOutletCertificate(lan.certs, '127.0.0.3');
    site.relay.signal('SIGHUP');
    const deadline = Date.now() + 15_000;
    while ((await served()) === before) {
      if (Date.now() > deadline) throw new Error('the relay still serves the old certificate');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.all([renewal, placeSome(PRODUCTS.slice(ORDERS_PER_PHASE, 2 * ORDERS_PER_PHASE))]);
  await placeSome(PRODUCTS.slice(2 * ORDERS_PER_PHASE));

  // A screen that connects after the renewal meets the new certificate and trusts it too.
  const lateKitchen = await site.open(site.kitchenUrl(1));
  await kitchenReady(lateKitchen);

  await waitForText(kiosk, 'pending-count', ['0'], 30_000);
  for (const screen of [kitchen, lateKitchen]) {
    await screen.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="order-card"]').length >= count,
      placed.length,
      { timeout: 15_000 },
    );
    const shown = await cardIds(screen);
    expect([...shown].sort()).toEqual([...placed].sort());
  }
  expect(new Set(placed).size).toBe(PRODUCTS.length);
});
