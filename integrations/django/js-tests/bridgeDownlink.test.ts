// Orders created at central reach the outlet's kitchens through the relay's downlink: within
// 2 s while connected, and once after the relay was away; never echoed back up as new.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEnvelope, EventsResponse } from '@kitchen-sync/protocol';
import { signToken } from '@kitchen-sync/relay';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from './harness/childProcess.js';
import { DjangoStack, RELAY_SECRET } from './harness/djangoStack.js';
import { startRelayCli } from './harness/relayCli.js';
import { pollUntil } from './harness/waitFor.js';

let stack: DjangoStack;
let secretFile: string;
let tokenFile: string;
let dataDir: string;
const relays: Child[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  stack = await new DjangoStack({ database: 'postgres' }).start();
  secretFile = stack.writeSecretFile();
  tokenFile = await stack.writeRelayCredentialFile(1);
  dataDir = join(stack.dir, 'relay');
  mkdirSync(dataDir);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const relay of relays) await relay.stop('SIGKILL');
  await stack?.stop();
});

async function startRelay() {
  const started = await startRelayCli(dataDir, secretFile, [
    '--central-url',
    stack.url,
    '--central-token-file',
    tokenFile,
  ]);
  relays.push(started.relay);
  return started;
}

const kitchenToken = () =>
  signToken(RELAY_SECRET, { sub: 'kds-1', role: 'kitchen', outlet: 1 }, '1h');

async function kitchen(url: string, received: EventEnvelope[]) {
  const socket = io(url, {
    auth: { token: await kitchenToken() },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  socket.on('event', (event: EventEnvelope) => received.push(event));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

async function checkoutAtCentral(orderId: string) {
  const response = await fetch(`${stack.url}/api/public/order-groups/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      outlet_id: 1,
      orders: [
        {
          order_id: orderId,
          order_number: `WEB-${orderId.slice(0, 4)}`,
          outlet_id: 1,
          tenant_id: 1,
          status: 'pending',
          items: [{ product_id: 1, name: 'Es teh', quantity: 1, price: '5000' }],
          total_amount: '5000',
          created_at: new Date().toISOString(),
        },
      ],
    }),
  });
  expect(response.status).toBe(201);
}

async function relayLog(url: string) {
  const response = await fetch(`${url}/api/events?since=0&limit=500`, {
    headers: { authorization: `Bearer ${await kitchenToken()}` },
  });
  return ((await response.json()) as EventsResponse).events;
}

describe('relay downlink from central', () => {
  it('brings a central order to the kitchen within 2 s, one made while the relay was away once on its return, and a central cancel', async () => {
    let { relay, url } = await startRelay();
    const received: EventEnvelope[] = [];
    await kitchen(url, received);

    const live = randomUUID();
    const created = Date.now();
    await checkoutAtCentral(live);
    await pollUntil(
      () => received.filter((e) => e.order_id === live),
      (found) => found.length > 0,
      2_000,
    );
    console.info(
      `downlink: central order at the kitchen ${Date.now() - created} ms after checkout`,
    );

    await relay.stop('SIGKILL');
    const whileAway = randomUUID();
    await checkoutAtCentral(whileAway);
    ({ relay, url } = await startRelay());
    const afterReturn: EventEnvelope[] = [];
    await kitchen(url, afterReturn);
    await pollUntil(
      () => relayLog(url),
      (log) => log.some((e) => e.order_id === whileAway),
      5_000,
    );
    // Let a few more polls pass: nothing arrives twice.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const log = await relayLog(url);
    expect(log.filter((e) => e.type === 'new_order').map((e) => e.order_id)).toEqual([
      live,
      whileAway,
    ]);

    // The uplink sent them back up under central's event ids: still one order each.
    const { order_ids } = await stack.control<{ order_ids: string[] }>('orders/');
    expect(order_ids.sort()).toEqual([live, whileAway].sort());
    // A cancel made at central reaches the outlet's log as a status change, once.
    await stack.control('central-status/', { order_id: live, status: 'cancelled' });
    const cancelled = await pollUntil(
      () => relayLog(url),
      (events) => events.some((e) => e.order_id === live && e.type === 'order_cancelled'),
      3_000,
    );
    expect(cancelled.filter((e) => e.order_id === live).map((e) => e.type)).toEqual([
      'new_order',
      'order_cancelled',
    ]);
    expect(afterReturn.some((e) => e.order_id === live && e.type === 'order_cancelled')).toBe(true);

    const health = (await (await fetch(`${url}/health`)).json()) as {
      bridge: { pendingEvents: number; downlinkCursor: number };
    };
    expect(health.bridge.downlinkCursor).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
