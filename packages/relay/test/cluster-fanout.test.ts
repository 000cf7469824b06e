import type { PublishAck } from '@kitchen-sync/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test-support/postgres.js';
import { startRedis, type TestRedis } from '../../../test-support/redis.js';
import { createMemoryEventStore, type EventStore } from '../src/index.js';
import {
  client,
  connected,
  http,
  order,
  refusal,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

// Two relay nodes in this process share one store, as nodes share PostgreSQL, and talk over
// a real Redis. (The nodes on PostgreSQL, in processes of their own: cluster-chaos.test.ts.)
let redis: TestRedis;
const nodes: TestRelay[] = [];
let store: EventStore;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
});

async function startNodes(
  count: number,
  cluster: { redisUrl?: string; drainStepMs?: number } = {},
  databaseUrl?: string,
) {
  store = createMemoryEventStore();
  for (let i = 0; i < count; i += 1) {
    nodes.push(
      await startRelay({
        ...(databaseUrl ? { store: 'postgres', databaseUrl } : { store }),
        cluster: { ...cluster, nodeId: `node-${i}`, headCheckMs: 100 },
      }),
    );
  }
  return nodes;
}

const seqs = (kitchen: TestClient) => kitchen.events().map((e) => e.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function publish(pos: TestClient, count: number): Promise<number[]> {
  const acked: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const ack = await pos.request<PublishAck>('order:publish', order());
    if (!ack.ok) throw new Error(`publish refused: ${JSON.stringify(ack)}`);
    acked.push(ack.seq);
  }
  return acked;
}

describe('cluster fan-out over Redis', () => {
  it('an order published on node A reaches a kitchen on node B, and the other way', async () => {
    const [a, b] = await startNodes(2, { redisUrl: redis.url });
    const kitchenB = await connected(b!.url, { token: await tokenFor('kitchen') });
    const kitchenA = await connected(a!.url, { token: await tokenFor('kitchen') });
    const posA = await connected(a!.url, { token: await tokenFor('pos') });
    const posB = await connected(b!.url, { token: await tokenFor('pos') });
    await publish(posA, 3);
    await publish(posB, 2);
    await kitchenB.waitFor(() => kitchenB.events().length === 5);
    await kitchenA.waitFor(() => kitchenA.events().length === 5);
    expect(seqs(kitchenB)).toEqual(range(1, 5));
    expect(seqs(kitchenA)).toEqual(range(1, 5));
    const health = await http(b!.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body.cluster).toMatchObject({
      node_id: 'node-1',
      role: 'member',
      draining: false,
      fanout: { state: 'up' },
      store: { kind: 'memory', reachable: true },
    });
    await expect
      .poll(async () => (await http(b!.url, '/health')).body.cluster.nodes_seen)
      .toEqual(['node-0', 'node-1']);
    const metrics = await http(b!.url, '/metrics');
    expect(metrics.body).toMatch(
      /kitchen_sync_cluster_delivery_latency_seconds_count\{origin="remote"\} 3/,
    );
  });

  it('while Redis is down every event still arrives, in order, read from the store', async () => {
    const [a, b] = await startNodes(2, { redisUrl: redis.url });
    const kitchenB = await connected(b!.url, { token: await tokenFor('kitchen') });
    const posA = await connected(a!.url, { token: await tokenFor('pos') });
    await publish(posA, 2);
    await kitchenB.waitFor(() => kitchenB.events().length === 2);
    await redis.stop();
    await publish(posA, 5);
    await kitchenB.waitFor(() => kitchenB.events().length === 7);
    expect((await http(b!.url, '/health')).body.cluster.fanout.state).toBe('down');
    await redis.start();
    await expect
      .poll(async () => (await http(b!.url, '/health')).body.cluster.fanout.state, {
        timeout: 5_000,
      })
      .toBe('up');
    await publish(posA, 3);
    await kitchenB.waitFor(() => kitchenB.events().length === 10);
    expect(seqs(kitchenB)).toEqual(range(1, 10));
    const metrics = (await http(b!.url, '/metrics')).body as string;
    expect(metrics).toMatch(/kitchen_sync_cluster_catchup_events_total\{reason="tail"\} [1-9]/);
  });

  it('without Redis a node polls the store: slower, still complete and in order', async () => {
    const [a, b] = await startNodes(2);
    const kitchenB = await connected(b!.url, { token: await tokenFor('kitchen') });
    const posA = await connected(a!.url, { token: await tokenFor('pos') });
    await publish(posA, 4);
    await kitchenB.waitFor(() => kitchenB.events().length === 4);
    expect(seqs(kitchenB)).toEqual(range(1, 4));
    const health = await http(b!.url, '/health');
    expect(health.body.cluster.fanout.state).toBe('store_polling');
    expect(health.body.cluster.nodes_seen).toEqual(['node-1']);
  });

  it("the cursor-based /events long poll needs no sticky session: woken by another node's order", async () => {
    const [a, b] = await startNodes(2, { redisUrl: redis.url });
    const token = await tokenFor('kitchen');
    const posA = await connected(a!.url, { token: await tokenFor('pos') });
    await publish(posA, 1);
    const first = await http(b!.url, '/api/events?since=0', { token });
    const epoch = first.body.epoch as string;
    expect(first.body.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
    const waiting = http(b!.url, `/api/events?since=1&epoch=${epoch}&wait=5000`, { token });
    await publish(posA, 1);
    const answer = await waiting;
    expect(answer.body.events.map((e: { seq: number }) => e.seq)).toEqual([2]);
    // The next poll goes to the other node with the same cursor and simply continues.
    await publish(posA, 1);
    const next = await http(a!.url, `/api/events?since=2&epoch=${epoch}`, { token });
    expect(next.body.events.map((e: { seq: number }) => e.seq)).toEqual([3]);
  });

  it('a drained node answers 503, refuses new sockets, moves its clients off and closes', async () => {
    // A second between the cut and the close, so a busy machine still asks a draining node
    // (with the default 100 ms it may already be gone, and the refusal is a closed port).
    const [a, b] = await startNodes(2, { redisUrl: redis.url, drainStepMs: 1_000 });
    const kitchenA = await connected(a!.url, { token: await tokenFor('kitchen') });
    await publish(await connected(a!.url, { token: await tokenFor('pos') }), 1);
    await kitchenA.waitFor(() => kitchenA.events().length === 1);
    const gone = new Promise((resolve) => kitchenA.socket.once('disconnect', resolve));
    const drained = a!.relay.drain();
    expect((await http(a!.url, '/health')).status).toBe(503);
    expect(await refusal(a!.url, { token: await tokenFor('kitchen') })).toBe('unavailable');
    const refused = client(a!.url, { token: await tokenFor('kitchen') });
    const hint = await new Promise((resolve) =>
      refused.socket.once('connect_error', (error) => resolve((error as { data?: unknown }).data)),
    );
    expect(hint).toEqual({ code: 'unavailable', reconnect: true });
    refused.close();
    expect(await gone).toBe('transport close');
    await drained;
    // Its clients resume on another node by cursor.
    const posB = await connected(b!.url, { token: await tokenFor('pos') });
    await publish(posB, 1);
    const kitchenOnB = await connected(b!.url, {
      token: await tokenFor('kitchen'),
      since: 1,
      epoch: store.epoch,
    });
    await kitchenOnB.waitFor(() => kitchenOnB.events().length === 1);
    expect(seqs(kitchenOnB)).toEqual([2]);
  });

  // Orders a POS sent just before the drain are committed either way; their acks must reach
  // it too, or its outbox re-sends them to another node (duplicates there, and a wait).
  it('a drain commits and acks what a node took in before it, then cuts the clients', async () => {
    const [a] = await startNodes(1, { redisUrl: redis.url });
    const pos = await connected(a!.url, { token: await tokenFor('pos') });
    const acks = Array.from({ length: 30 }, () =>
      pos.request<PublishAck>('order:publish', order()).catch((error: Error) => error.message),
    );
    // The node answers a ping after it took the 30 publishes in (one socket, in order): they
    // wait in its write queue when the drain starts, as when an admin drains a busy node.
    await pos.request('ping', {});
    const drained = a!.relay.drain();
    const answers = await Promise.all(acks);
    await drained;
    expect(
      answers.map((answer) => (typeof answer === 'object' && answer.ok ? 'ok' : answer)),
    ).toEqual(Array(30).fill('ok'));
    expect(await store.countEvents()).toBe(30);
    // Then the client is cut, to reconnect to another node.
    expect(pos.socket.connected).toBe(false);
  });

  it('POST /admin/drain needs an admin token for every tenant', async () => {
    const [a] = await startNodes(1, { redisUrl: redis.url });
    const kitchen = await http(a!.url, '/admin/drain', {
      method: 'POST',
      token: await tokenFor('kitchen'),
    });
    expect(kitchen.status).toBe(403);
    expect(kitchen.body.error.code).toBe('forbidden');
    const none = await http(a!.url, '/admin/drain', { method: 'POST' });
    expect(none.body.error.code).toBe('unauthorized');
    const brandAdmin = await http(a!.url, '/admin/drain', {
      method: 'POST',
      token: await tokenFor('admin', { outlet: 7, tenants: [99] }),
    });
    expect(brandAdmin.status).toBe(403);
    expect(brandAdmin.body.error.code).toBe('forbidden');
    expect((await http(a!.url, '/health')).status).toBe(200);
    const admin = await http(a!.url, '/admin/drain', {
      method: 'POST',
      token: await tokenFor('admin'),
    });
    expect(admin.status).toBe(202);
    // The same drain the route started: done means the node closed.
    await a!.relay.drain();
    await expect(http(a!.url, '/health')).rejects.toThrow();
  });
});

describe('cluster fan-out on PostgreSQL', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 30_000);
  afterAll(async () => {
    await pg.stop();
  });

  it('orders cross nodes in seq order, through a Redis restart too', async () => {
    const [a, b] = await startNodes(2, { redisUrl: redis.url }, await pg.createDatabase());
    const kitchenB = await connected(b!.url, { token: await tokenFor('kitchen') });
    const posA = await connected(a!.url, { token: await tokenFor('pos') });
    const posB = await connected(b!.url, { token: await tokenFor('pos') });
    await Promise.all([publish(posA, 3), publish(posB, 3)]);
    await kitchenB.waitFor(() => kitchenB.events().length === 6);
    await redis.stop();
    await redis.start();
    await publish(posA, 4);
    await kitchenB.waitFor(() => kitchenB.events().length === 10);
    expect(seqs(kitchenB)).toEqual(range(1, 10));
    const health = await http(b!.url, '/health');
    expect(health.body.cluster.store).toEqual({ kind: 'postgres', reachable: true });
  });
});
