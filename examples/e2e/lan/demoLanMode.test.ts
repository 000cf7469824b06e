import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, inject, test } from 'vitest';
import { freePort, portIsFree } from '../../../test-support/ports';
import { card, kioskReady, kitchenReady, placeOrder } from '../harness/screens';
import { StartScript } from '../harness/startScript';
import { launchTrustedBrowser, type TrustedBrowser } from '../harness/trustedBrowser';

// `pnpm start -- --lan` as a user runs it, kept on loopback: HOST=127.0.0.1, and a LAN name
// (KS_NAME) that Chromium resolves to 127.0.0.1. Relay pages and central share that address,
// as they share the outlet's LAN, so no Local Network Access prompt is involved.
const NAME = 'demo-relay.outlet.lan';

let demo: StartScript | undefined;
let browser: TrustedBrowser | undefined;
let dataDir = '';

afterEach(async () => {
  await browser?.close();
  demo?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  browser = undefined;
  demo = undefined;
});

test('the LAN mode serves kiosk and kitchen over HTTPS from the relay, orders flow, SIGTERM stops it', async () => {
  const relayPort = await freePort();
  const centralPort = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'ks-e2e-demo-lan-'));
  demo = new StartScript(['--lan'], {
    SKIP_BUILD: '1',
    KS_DEMO_PAGES_DIR: inject('pagesDir'),
    HOST: '127.0.0.1',
    RELAY_PORT: String(relayPort),
    CENTRAL_PORT: String(centralPort),
    KS_DATA_DIR: dataDir,
    KS_NAME: NAME,
  });

  const kioskUrl = (
    await demo.waitFor(new RegExp(`kiosk\\s+(https://${NAME}:\\d+/kiosk/\\S*)`))
  )[1]!;
  const kitchenUrl = (await demo.waitFor(/kitchen\s+(https:\/\/demo-relay\S+\/kitchen\/\S*)/))[1]!;
  const caFile = (await demo.waitFor(/Outlet CA certificate: (\S+)/))[1]!;
  // Nothing but loopback is ever printed with HOST=127.0.0.1.
  const printedHosts = [...demo.output.matchAll(/https:\/\/([^:/\s]+):/g)].map((m) => m[1]);
  expect(new Set(printedHosts)).toEqual(new Set(['127.0.0.1', NAME]));
  expect(kioskUrl).toBe(`https://${NAME}:${relayPort}/kiosk/?central=${centralPort}`);
  expect(caFile).toBe(join(dataDir, 'tls', 'ca.crt'));

  browser = await launchTrustedBrowser({
    trustedCaFiles: [caFile],
    cloudHosts: [NAME],
    outletHosts: [],
  });
  const open = async (url: string) => {
    const context = await browser!.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    return page;
  };
  const kitchen = await open(kitchenUrl);
  const kiosk = await open(kioskUrl);
  await Promise.all([kitchenReady(kitchen), kioskReady(kiosk)]);
  expect(await kiosk.evaluate(() => isSecureContext)).toBe(true);

  const [orderId] = await placeOrder(kiosk, [105]);
  await card(kitchen, orderId!).waitFor();

  await browser.close();
  browser = undefined;
  expect(await demo.terminate()).toBe(0);
  // The relay and central went with it.
  expect(await portIsFree(relayPort)).toBe(true);
  expect(await portIsFree(centralPort)).toBe(true);
}, 120_000);
