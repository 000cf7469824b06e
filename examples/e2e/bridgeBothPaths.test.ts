// Both ways to central at once, with the real kiosk page on Django + PostgreSQL: the page's
// service worker queues each checkout for central while central is down, and the relay,
// which got the same orders from the page's outbox, uploads them with the kitchen's work.
// One tablet is reset (its browser storage gone) before central returns; the other keeps its
// queue and replays it when its kiosk opens again, mostly after the uplink delivered (its
// worker also retries on its own, so a checkout may come first): central holds every order
// once, with the kitchen's final status.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeHealth, OrderStatus } from '@kitchen-sync/protocol';
import { signToken } from '@kitchen-sync/relay';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, expect, inject, test } from 'vitest';
import { DjangoStack, RELAY_SECRET } from '../../integrations/django/js-tests/harness/djangoStack';
import { launchChromium } from '../../test-support/chromium';
import { freePort } from '../../test-support/ports';
import {
  CATEGORIES,
  DISCONTINUED_PRODUCT_IDS,
  demoPromotions,
  PRODUCTS,
} from '../central/src/menu';
import { type PageServer, servePage } from './harness/pages';
import { RelayProcess } from './harness/relayProcess';
import { kioskReady, placeOrder, waitForText } from './harness/screens';

// Checkouts per tablet, two orders each (two tenants' products).
const CHECKOUTS = Number(process.env.KS_BOTH_PATHS_CHECKOUTS ?? 3);

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup.length = 0;
});

/** Each order's kitchen path: completed, left ready, or cancelled. */
function pathOf(index: number): OrderStatus[] {
  if (index % 3 === 0) return ['cancelled'];
  if (index % 3 === 1) return ['preparing', 'ready'];
  return ['preparing', 'ready', 'completed'];
}

async function kitchenUpdate(relayUrl: string, token: string, orderId: string, status: string) {
  const response = await fetch(`${relayUrl}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ type: 'order:update', payload: { order_id: orderId, status } }),
  });
  if (response.status !== 200) throw new Error(`update refused: ${await response.text()}`);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the service worker and the relay uplink deliver the same orders: central books each once, with its final status', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ks-e2e-both-paths-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const relayPort = await freePort();
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const stack = new DjangoStack({
    database: 'postgres',
    relayUrl,
    env: { KS_CORS_ALLOW_ALL: '1' },
  });
  cleanup.push(() => stack.stop());
  await stack.start();
  const menuFile = join(dir, 'menu.json');
  writeFileSync(
    menuFile,
    JSON.stringify({
      categories: CATEGORIES,
      products: PRODUCTS,
      discontinued: DISCONTINUED_PRODUCT_IDS,
      promotions: demoPromotions(new Date()),
    }),
  );
  stack.manage(['load_demo_menu', menuFile]);
  const relayDir = join(dir, 'relay');
  mkdirSync(relayDir);
  const relay = new RelayProcess({
    dataDir: relayDir,
    secret: RELAY_SECRET,
    port: relayPort,
    cliArgs: [
      '--central-url',
      stack.url,
      '--central-token-file',
      await stack.writeRelayCredentialFile(1),
    ],
  });
  cleanup.push(() => relay.stop('SIGKILL'));
  await relay.start();
  const kiosk: PageServer = await servePage('kiosk', inject('pagesDir'));
  cleanup.push(() => kiosk.close());
  const browser: Browser = await launchChromium();
  cleanup.push(() => browser.close());

  const kioskUrl = `${kiosk.url}/?central=${encodeURIComponent(stack.url)}`;
  const tablet = async (): Promise<[BrowserContext, Page]> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(kioskUrl);
    await kioskReady(page);
    await waitForText(page, 'network-mode', ['online']);
    return [context, page];
  };
  const [keptContext, kept] = await tablet();
  const [wipedContext, wiped] = await tablet();

  await stack.killDaphne();
  await waitForText(kept, 'network-mode', ['local']);
  await waitForText(wiped, 'network-mode', ['local']);
  const keptIds: string[] = [];
  const wipedIds: string[] = [];
  for (let i = 0; i < CHECKOUTS; i++) {
    keptIds.push(...(await placeOrder(kept, [101, 201])));
    wipedIds.push(...(await placeOrder(wiped, [205, 301])));
  }
  // The relay has every order; each tablet's worker holds every checkout for central.
  for (const page of [kept, wiped]) {
    await waitForText(page, 'pending-count', ['0']);
    await waitForText(page, 'central-queue', [String(CHECKOUTS)]);
  }
  expect(keptIds).toHaveLength(2 * CHECKOUTS);
  expect(wipedIds).toHaveLength(2 * CHECKOUTS);

  const kitchenToken = await signToken(
    RELAY_SECRET,
    { sub: 'kds-both-paths', role: 'kitchen', outlet: 1 },
    '1h',
  );
  const expected = new Map<string, OrderStatus>();
  for (const [index, orderId] of [...keptIds, ...wipedIds].entries()) {
    for (const status of pathOf(index))
      await kitchenUpdate(relayUrl, kitchenToken, orderId, status);
    expected.set(orderId, pathOf(index).at(-1)!);
  }

  // One tablet is reset: its queue is gone with its storage. The other's tab closes, so its
  // worker replays when the kiosk opens again (or at its own retry), mostly after the uplink.
  await wipedContext.close();
  await kept.close();
  await stack.startDaphne();
  await until(
    async () => {
      const health = (await (await fetch(`${relayUrl}/health`)).json()) as { bridge: BridgeHealth };
      return health.bridge.pendingEvents === 0 && health.bridge.lastErrorCode === null;
    },
    20_000,
    'the uplink to drain',
  );
  const afterUplink = await stack.control<{ orders: Array<[string, string]> }>('order-statuses/');
  expect(new Map(afterUplink.orders)).toEqual(expected);
  expect(afterUplink.orders).toHaveLength(expected.size);
  const checkouts = () => stack.control<{ count: number }>('checkouts/');

  const replayedBefore = (await checkouts()).count;
  const reopened = await keptContext.newPage();
  await reopened.goto(kioskUrl);
  await kioskReady(reopened);
  await waitForText(reopened, 'central-queue', ['0'], 30_000);
  // The worker's checkouts did reach central (not dropped as refused)...
  expect(await checkouts()).toEqual({ count: CHECKOUTS });
  console.info(
    `both paths: ${replayedBefore} of ${CHECKOUTS} checkouts replayed before the uplink drained`,
  );
  const afterReplay = await stack.control<{ orders: Array<[string, string]> }>('order-statuses/');
  expect(afterReplay.orders).toHaveLength(expected.size);
  // A replayed checkout is a pending order central already has: it changes nothing.
  expect(new Map(afterReplay.orders)).toEqual(expected);
}, 180_000);
