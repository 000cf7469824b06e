// The bridge of a relay cluster against the real central: daphne + the kitchen_sync package,
// two built relay CLIs on one PostgreSQL (--store postgres) with --central-url. Orders taken
// on both nodes reach central once with their final status, the node running the bridge is
// SIGKILLed while orders go on at the other, and a web order made at central reaches the
// kitchens on both nodes once.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeHealth, EventEnvelope } from '@kitchen-sync/protocol';
import { signToken } from '@kitchen-sync/relay';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test-support/postgres.js';
import type { Child } from './harness/childProcess.js';
import { DjangoStack, RELAY_SECRET } from './harness/djangoStack.js';
import { startRelayCli } from './harness/relayCli.js';
import { pollUntil } from './harness/waitFor.js';

let stack: DjangoStack;
let clusterDb: PostgresServer;
let databaseUrl: string;
let secretFile: string;
let tokenFile: string;
const sockets: Socket[] = [];
const nodes = new Map<string, { relay: Child; url: string }>();

beforeAll(async () => {
  stack = await new DjangoStack({ database: 'postgres' }).start();
  clusterDb = await startPostgres();
  databaseUrl = await clusterDb.createDatabase();
  secretFile = stack.writeSecretFile();
  tokenFile = await stack.writeRelayCredentialFile(1);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const { relay } of nodes.values()) await relay.stop('SIGKILL');
  await clusterDb?.stop();
  await stack?.stop();
});

async function startNode(name: string) {
  const dataDir = join(stack.dir, `relay-${name}`);
  mkdirSync(dataDir, { recursive: true });
  const started = await startRelayCli(dataDir, secretFile, [
    '--store',
    'postgres',
    '--database-url',
    databaseUrl,
    '--node-id',
    name,
    '--central-url',
    stack.url,
    '--central-token-file',
    tokenFile,
  ]);
  nodes.set(name, started);
  return started;
}

async function connect(url: string, role: 'pos' | 'kitchen', received?: EventEnvelope[]) {
  const token = await signToken(
    RELAY_SECRET,
    { sub: `${role}-${randomUUID()}`, role, outlet: 1 },
    '1h',
  );
  const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  if (received) socket.on('event', (event: EventEnvelope) => received.push(event));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

async function send(socket: Socket, event: string, payload: unknown) {
  const answer = (await socket.timeout(10_000).emitWithAck(event, payload)) as { ok: boolean };
  if (!answer.ok) throw new Error(`${event} refused: ${JSON.stringify(answer)}`);
}

/** Publishes `count` orders on the socket's node and completes every second one. */
async function work(socket: Socket, count: number, expected: Map<string, string>) {
  for (let i = 0; i < count; i++) {
    const orderId = randomUUID();
    await send(socket, 'order:publish', {
      order_id: orderId,
      order_number: `CL-${expected.size}`,
      outlet_id: 1,
      tenant_id: 1,
      status: 'pending',
      items: [{ product_id: 1, name: 'Nasi goreng', quantity: 1, price: '25000' }],
      total_amount: '25000',
      created_at: new Date().toISOString(),
    });
    const path = i % 2 === 0 ? ['preparing', 'ready', 'completed'] : ['preparing'];
    for (const status of path) await send(socket, 'order:update', { order_id: orderId, status });
    expected.set(orderId, path.at(-1)!);
  }
}

async function bridgeOf(url: string): Promise<BridgeHealth> {
  return ((await (await fetch(`${url}/health`)).json()) as { bridge: BridgeHealth }).bridge;
}

async function centralOrders(): Promise<Array<[string, string]>> {
  return (await stack.control<{ orders: Array<[string, string]> }>('order-statuses/')).orders;
}

describe('the bridge of a relay cluster on PostgreSQL, to the real central', () => {
  it("uploads both nodes' orders once, hands over when its node is killed, and brings a web order to both kitchens", async () => {
    const a = await startNode('a');
    const b = await startNode('b');
    const holder = await pollUntil(
      async () => Promise.all([bridgeOf(a.url), bridgeOf(b.url)]),
      (both) => both.some((bridge) => bridge.role === 'holder'),
      15_000,
    );
    const [first, second] = holder[0]!.role === 'holder' ? ['a', 'b'] : ['b', 'a'];
    const firstNode = nodes.get(first)!;
    const secondNode = nodes.get(second)!;
    // The other node learns who holds the bridge on its next try of the lock (every 2 s).
    const standby = await pollUntil(
      () => bridgeOf(secondNode.url),
      (bridge) => bridge.holder !== null && bridge.holder !== undefined,
      15_000,
    );
    expect(standby).toMatchObject({ role: 'standby', holder: first });

    const expected = new Map<string, string>();
    await work(await connect(firstNode.url, 'pos'), 10, expected);
    await work(await connect(secondNode.url, 'pos'), 10, expected);
    await pollUntil(centralOrders, (rows) => rows.length === 20, 15_000);

    // The node running the bridge dies; orders go on at the other, which takes it over.
    await firstNode.relay.stop('SIGKILL');
    nodes.delete(first);
    await work(await connect(secondNode.url, 'pos'), 10, expected);
    await pollUntil(
      () => bridgeOf(secondNode.url),
      (bridge) =>
        bridge.role === 'holder' && bridge.pendingEvents === 0 && bridge.state === 'synced',
      20_000,
    );
    const rows = await pollUntil(centralOrders, (found) => found.length >= 30, 10_000);
    const ids = rows.map(([id]) => id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Map(rows)).toEqual(expected);

    // A node started again comes back as a standby; a web order reaches both kitchens once.
    const again = await startNode(first);
    await pollUntil(
      () => bridgeOf(again.url),
      (bridge) => bridge.role === 'standby',
      10_000,
    );
    const atFirst: EventEnvelope[] = [];
    const atSecond: EventEnvelope[] = [];
    await connect(again.url, 'kitchen', atFirst);
    await connect(secondNode.url, 'kitchen', atSecond);
    const web = randomUUID();
    const response = await fetch(`${stack.url}/api/public/order-groups/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        outlet_id: 1,
        orders: [
          {
            order_id: web,
            order_number: 'WEB-1',
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
    const arrived = (events: EventEnvelope[]) =>
      events.filter((e) => e.order_id === web && e.type === 'new_order');
    await pollUntil(
      () => [arrived(atFirst).length, arrived(atSecond).length],
      (counts) => counts.every((n) => n > 0),
      5_000,
    );
    // A few more polls of central: a second copy would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect([arrived(atFirst).length, arrived(atSecond).length]).toEqual([1, 1]);
    // Uploaded back under central's event id: still one order at central.
    const { order_ids } = await stack.control<{ order_ids: string[] }>('orders/');
    expect(order_ids.filter((id) => id === web)).toHaveLength(1);
  }, 180_000);
});
