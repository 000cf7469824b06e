// Both ways to central at once, with the real kiosk page on Django + PostgreSQL: the page's
// service worker queues each checkout for central while central is unreachable, and the
// relay, which got the same orders from the page's outbox, uploads them with the kitchen's
// work. Each tablet and the relay reach central through a gate of their own, so the test
// decides who gets through first: tablet B's worker before the uplink, tablet A's after
// it, and tablet C is reset (its browser storage gone) before central is back at all.
// Central holds every order once, with the kitchen's final status.
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
import { startTcpGate, type TcpGate } from './harness/tcpGate';

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

test('the service worker and the relay uplink deliver the same orders, in either order: central books each once, with its final status', async () => {
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
  const centralPort = Number(new URL(stack.url).port);
  const gate = async (): Promise<TcpGate> => {
    const opened = await startTcpGate(centralPort);
    cleanup.push(() => opened.close());
    return opened;
  };
  const relayGate = await gate();
  const relayDir = join(dir, 'relay');
  mkdirSync(relayDir);
  const relay = new RelayProcess({
    dataDir: relayDir,
    secret: RELAY_SECRET,
    port: relayPort,
    cliArgs: [
      '--central-url',
      relayGate.url,
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

  const tablet = async (products: number[]) => {
    const centralGate = await gate();
    const url = `${kiosk.url}/?central=${encodeURIComponent(centralGate.url)}`;
    const context: BrowserContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    const page: Page = await context.newPage();
    await page.goto(url);
    await kioskReady(page);
    await waitForText(page, 'network-mode', ['online']);
    return { gate: centralGate, context, page, products, orderIds: [] as string[] };
  };
  // A's and B's checkouts are two orders each (two tenants), C's too.
  const a = await tablet([101, 201]);
  const b = await tablet([205, 301]);
  const c = await tablet([102, 302]);
  const tablets = [a, b, c];

  for (const shut of [relayGate, ...tablets.map((t) => t.gate)]) shut.shut();
  for (const t of tablets) await waitForText(t.page, 'network-mode', ['local']);
  for (let i = 0; i < CHECKOUTS; i++) {
    for (const t of tablets) t.orderIds.push(...(await placeOrder(t.page, t.products)));
  }
  // The relay has every order; each tablet's worker holds every checkout for central.
  for (const t of tablets) {
    expect(t.orderIds).toHaveLength(2 * CHECKOUTS);
    await waitForText(t.page, 'pending-count', ['0']);
    await waitForText(t.page, 'central-queue', [String(CHECKOUTS)]);
  }

  const kitchenToken = await signToken(
    RELAY_SECRET,
    { sub: 'kds-both-paths', role: 'kitchen', outlet: 1 },
    '1h',
  );
  const expected = new Map<string, OrderStatus>();
  for (const [index, orderId] of tablets.flatMap((t) => t.orderIds).entries()) {
    for (const status of pathOf(index))
      await kitchenUpdate(relayUrl, kitchenToken, orderId, status);
    expected.set(orderId, pathOf(index).at(-1)!);
  }
  const statuses = async () =>
    new Map((await stack.control<{ orders: Array<[string, string]> }>('order-statuses/')).orders);
  const checkouts = async () => (await stack.control<{ count: number }>('checkouts/')).count;

  // C is reset: its queue is gone with its storage; only the relay still has its orders.
  await c.context.close();

  // B's worker first: central books B's checkouts as they were taken, pending.
  b.gate.open();
  await waitForText(b.page, 'central-queue', ['0'], 30_000);
  expect(await checkouts()).toBe(CHECKOUTS);
  expect(await statuses()).toEqual(new Map(b.orderIds.map((id) => [id, 'pending'])));

  // Then the uplink: every order, B's moved on to the kitchen's final status, C's and A's new.
  relayGate.open();
  await until(
    async () => {
      const health = (await (await fetch(`${relayUrl}/health`)).json()) as { bridge: BridgeHealth };
      return health.bridge.pendingEvents === 0 && health.bridge.lastErrorCode === null;
    },
    20_000,
    'the uplink to drain',
  );
  expect(await statuses()).toEqual(expected);

  // A's worker last: its checkouts are orders central already has; they change nothing.
  a.gate.open();
  await waitForText(a.page, 'central-queue', ['0'], 30_000);
  expect(await checkouts()).toBe(2 * CHECKOUTS);
  const rows = (await stack.control<{ orders: Array<[string, string]> }>('order-statuses/')).orders;
  expect(rows).toHaveLength(expected.size);
  expect(new Map(rows)).toEqual(expected);
}, 180_000);
