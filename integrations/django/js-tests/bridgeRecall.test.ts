// A recall at the outlet (protocol v1.1) reaches the real central through the relay's uplink:
// a completed order the kitchen recalls and the POS then cancels ("wrong dish, refunded") is
// cancelled at central too, with its reason, and logs no conflict; so is one central itself
// completed, once central's completion reached the outlet.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { signToken } from '@kitchen-sync/relay';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Child } from './harness/childProcess.js';
import { DjangoStack, RELAY_SECRET } from './harness/djangoStack.js';
import { startRelayCli } from './harness/relayCli.js';
import { pollUntil } from './harness/waitFor.js';

let stack: DjangoStack;
let relay: Child;
let relayUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  stack = await new DjangoStack({ database: 'postgres' }).start();
  const dataDir = join(stack.dir, 'relay');
  mkdirSync(dataDir);
  const started = await startRelayCli(dataDir, stack.writeSecretFile(), [
    '--central-url',
    stack.url,
    '--central-token-file',
    await stack.writeRelayCredentialFile(1),
  ]);
  relay = started.relay;
  relayUrl = started.url;
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await relay?.stop('SIGKILL');
  await stack?.stop();
});

async function screen(role: 'pos' | 'kitchen') {
  const token = await signToken(
    RELAY_SECRET,
    { sub: `${role}-${randomUUID()}`, role, outlet: 1 },
    '1h',
  );
  const socket = io(relayUrl, { auth: { token }, transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

async function send(socket: Socket, event: string, payload: unknown) {
  const ack = await socket.timeout(5_000).emitWithAck(event, payload);
  expect(ack.ok, JSON.stringify(ack)).toBe(true);
  expect(ack.duplicate).toBe(false);
}

async function publish(pos: Socket) {
  const order_id = randomUUID();
  await send(pos, 'order:publish', {
    order_id,
    order_number: 'A-019',
    outlet_id: 1,
    tenant_id: 1,
    status: 'pending',
    items: [{ product_id: 1, name: 'Nasi goreng', quantity: 2, price: '27500' }],
    total_amount: '55000',
    created_at: new Date().toISOString(),
  });
  return order_id;
}

const centralStatus = async (orderId: string) => {
  const { orders } = await stack.control<{ orders: [string, string][] }>('order-statuses/');
  return new Map(orders).get(orderId);
};

const untilCentralHas = (orderId: string, status: string) =>
  pollUntil(
    () => centralStatus(orderId),
    (found) => found === status,
    15_000,
  );

/** The order as central keeps it, and the conflicts its outlet log holds for it. */
function centralRecord(orderId: string) {
  return JSON.parse(
    stack.python(
      [
        'import json',
        'from kitchen_sync.models import OutletEvent',
        'from menu.models import Order',
        `order = Order.objects.get(order_id="${orderId}")`,
        `conflicts = [e.conflict for e in OutletEvent.objects.filter(order_id="${orderId}").exclude(conflict="")]`,
        'print(json.dumps({"status": order.status, "reason": order.status_reason, "payload_status": order.payload["status"], "conflicts": conflicts}))',
      ].join('\n'),
    ),
  ) as { status: string; reason: string; payload_status: string; conflicts: string[] };
}

it('a completed order recalled and cancelled at the outlet is cancelled at central', async () => {
  const pos = await screen('pos');
  const kitchen = await screen('kitchen');
  const orderId = await publish(pos);
  for (const status of ['preparing', 'ready', 'completed']) {
    await send(kitchen, 'order:update', { order_id: orderId, status });
  }
  await untilCentralHas(orderId, 'completed');
  await send(kitchen, 'order:recall', { order_id: orderId });
  await send(pos, 'order:update', {
    order_id: orderId,
    status: 'cancelled',
    reason: 'wrong dish, refunded',
  });
  await untilCentralHas(orderId, 'cancelled');
  expect(centralRecord(orderId)).toEqual({
    status: 'cancelled',
    reason: 'wrong dish, refunded',
    payload_status: 'cancelled',
    conflicts: [],
  });
}, 60_000);

it('a completion made at central that reached the outlet can be recalled there', async () => {
  const pos = await screen('pos');
  const kitchen = await screen('kitchen');
  const orderId = await publish(pos);
  for (const status of ['preparing', 'ready']) {
    await send(kitchen, 'order:update', { order_id: orderId, status });
  }
  await untilCentralHas(orderId, 'ready');
  // A delivery app confirmed the hand-over at central; the downlink brings it to the kitchen.
  const completed = new Promise<void>((resolve) => {
    kitchen.on('event', (event: EventEnvelope) => {
      if (event.order_id === orderId && event.type === 'order_completed') resolve();
    });
  });
  await stack.control('central-status/', { order_id: orderId, status: 'completed' });
  await completed;
  await send(kitchen, 'order:recall', { order_id: orderId });
  await send(pos, 'order:update', {
    order_id: orderId,
    status: 'cancelled',
    reason: 'wrong dish, refunded',
  });
  await untilCentralHas(orderId, 'cancelled');
  expect(centralRecord(orderId).conflicts).toEqual([]);
}, 60_000);
