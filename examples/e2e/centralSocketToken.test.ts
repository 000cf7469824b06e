import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { Demo } from './harness/demo';
import { card, kitchenReady, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

// An audit found the kitchen's 30-day socket token in Chromium's console ("WebSocket connection
// to 'ws://…/ws/outlet/1/?token=eyJ…' failed", once per attempt while central is down) and in
// proxies' access logs. The token now goes as a subprotocol when central says it reads it there.

const demo = useDemo();

interface Watched {
  console: string[];
  sockets: Array<{ url: string; protocol: string | null }>;
}

/**
 * Records the page's console, and each of central's sockets as Chromium opens it (URL and the
 * Sec-WebSocket-Protocol it sends, through the DevTools protocol), from the page's start.
 */
async function watch(page: Page): Promise<Watched> {
  const watched: Watched = { console: [], sockets: [] };
  page.on('console', (message) => watched.console.push(message.text()));
  const devtools = await page.context().newCDPSession(page);
  devtools.on('Network.webSocketWillSendHandshakeRequest', (event) => {
    const headers = event.request.headers as Record<string, string>;
    const url = urls.get(event.requestId) ?? '';
    if (!url.includes('/ws/outlet/')) return;
    const protocol = Object.entries(headers).find(
      ([name]) => name.toLowerCase() === 'sec-websocket-protocol',
    );
    watched.sockets.push({ url, protocol: protocol?.[1] ?? null });
  });
  const urls = new Map<string, string>();
  devtools.on('Network.webSocketCreated', (event) => urls.set(event.requestId, event.url));
  await devtools.send('Network.enable');
  return watched;
}

/** A web order for tenant 1, booked at central's checkout (no kiosk, no relay involved). */
async function webOrder(d: Demo): Promise<string> {
  const orderId = randomUUID();
  const response = await fetch(`${d.central.url}/api/public/order-groups/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      outlet_id: 1,
      orders: [
        {
          order_id: orderId,
          order_number: `WEB-${orderId.slice(0, 8)}`,
          outlet_id: 1,
          tenant_id: 1,
          status: 'pending',
          items: [{ product_id: 101, name: 'Nasi Goreng', quantity: 1, price: '25000' }],
          total_amount: '25000',
          created_at: new Date().toISOString(),
        },
      ],
    }),
  });
  expect(response.status).toBe(201);
  return orderId;
}

/** A kitchen of tenant 1 whose orders can only come over central's socket (relay killed). */
async function kitchenOnCentral(d: Demo, watched?: (page: Page) => unknown): Promise<Page> {
  await d.relay.stop('SIGKILL');
  const kitchen = await d.open(d.kitchenUrl(1), watched);
  await kitchenReady(kitchen);
  await waitForText(kitchen, 'connection-mode', ['central_only']);
  return kitchen;
}

const TOKEN_IN_TEXT = /token=|eyJ/;

test("central down: Chromium's console and the socket URLs carry no token; central up: the socket opens and brings the web order", async () => {
  const d = demo();
  let watched: Watched = { console: [], sockets: [] };
  const kitchen = await kitchenOnCentral(d, async (page) => {
    watched = await watch(page);
  });
  const before = await webOrder(d);
  await card(kitchen, before).waitFor({ timeout: 5_000 });

  await d.central.setOutage(true);
  // Chromium's own line for each failed attempt at central (the dead relay's are there too):
  // the check below reads real ones.
  const failed = () =>
    watched.console.filter((line) => /^WebSocket connection to '[^']*\/ws\/outlet\/1\//.test(line));
  await expect.poll(() => failed().length, { timeout: 20_000, interval: 200 }).toBeGreaterThan(1);
  await d.central.setOutage(false);
  await waitForText(kitchen, 'connection-mode', ['central_only'], 30_000);
  const after = await webOrder(d);
  await card(kitchen, after).waitFor({ timeout: 5_000 });

  expect(watched.console.filter((line) => TOKEN_IN_TEXT.test(line))).toEqual([]);
  const offered = watched.sockets.filter((s) => s.protocol !== null);
  expect(offered.length).toBeGreaterThan(1);
  for (const socket of watched.sockets) expect(socket.url).not.toMatch(TOKEN_IN_TEXT);
  for (const socket of offered) {
    expect(socket.protocol).toMatch(/^kitchen-sync, kitchen-sync\.bearer\.eyJ[\w.-]+$/);
  }
});

test('new screens before central is upgraded: the URL form until then, orders all along; after a reload the token leaves the URL', async () => {
  const d = demo();
  await d.restartCentral({ socketTokenInSubprotocol: false });
  let watched: Watched = { console: [], sockets: [] };
  const kitchen = await kitchenOnCentral(d, async (page) => {
    watched = await watch(page);
  });
  const onOld = await webOrder(d);
  await card(kitchen, onOld).waitFor({ timeout: 5_000 });
  // The old central reads only ?token= and answers no subprotocol: offering one would fail.
  expect(watched.sockets.at(-1)?.url).toMatch(/[?&]token=eyJ/);
  expect(watched.sockets.filter((s) => s.protocol !== null)).toEqual([]);

  await d.restartCentral({ socketTokenInSubprotocol: true });
  // The screen still holds the old central's URL: the upgraded central reads ?token= too.
  await waitForText(kitchen, 'connection-mode', ['central_only'], 30_000);
  const onUpgraded = await webOrder(d);
  await card(kitchen, onUpgraded).waitFor({ timeout: 10_000 });

  const seen = watched.sockets.length;
  await kitchen.reload();
  await kitchenReady(kitchen);
  await waitForText(kitchen, 'connection-mode', ['central_only'], 30_000);
  const afterReload = await webOrder(d);
  await card(kitchen, afterReload).waitFor({ timeout: 5_000 });
  const reloaded = watched.sockets.slice(seen);
  expect(reloaded.length).toBeGreaterThan(0);
  for (const socket of reloaded) expect(socket.url).not.toMatch(TOKEN_IN_TEXT);
  expect(reloaded.some((s) => s.protocol?.startsWith('kitchen-sync, kitchen-sync.bearer.'))).toBe(
    true,
  );
});

test('a screen from before (it dials websocket_url as it is) keeps its socket when central is upgraded', async () => {
  const d = demo();
  await d.restartCentral({ socketTokenInSubprotocol: false });
  // A page of its own, no app on it: the sockets below are the only ones.
  const page = await d.open(`${d.central.url}/health`);
  const settings = await fetch(`${d.central.url}/api/tenants/outlets/1/?tenant=1&device=old-kds`);
  const oldUrl = ((await settings.json()) as { websocket_url: string }).websocket_url;
  // Why a new client offers the subprotocol only when the URL says so: Chromium fails a
  // handshake that offered one and got none back, as an old central answers.
  const offeredToOld = await page.evaluate((url) => {
    const plain = new URL(url);
    const token = plain.searchParams.get('token') ?? '';
    plain.searchParams.delete('token');
    return new Promise<string>((resolve) => {
      const socket = new WebSocket(plain.toString(), [
        'kitchen-sync',
        `kitchen-sync.bearer.${token}`,
      ]);
      socket.onopen = () => resolve('open');
      socket.onclose = (event) => resolve(`closed ${event.code}`);
    });
  }, oldUrl);
  expect(offeredToOld).toBe('closed 1006');

  await d.restartCentral({ socketTokenInSubprotocol: true });
  // What a client of an earlier release does with the URL it got: new WebSocket(url).
  const frame = await page.evaluate(
    (url) =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.onmessage = (event) => resolve(String(event.data));
        socket.onclose = (event) => reject(new Error(`closed ${event.code}`));
      }),
    oldUrl,
  );
  expect(JSON.parse(frame)).toEqual({ type: 'caught_up', seq: 0 });
});
