import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../test-support/redis.js';
import { createMemoryEventStore, type EventStore } from '../src/index.js';
import { ChaosKitchen, ChaosPos, type NodeList } from './chaosClients.js';
import { order, startRelay, type TestRelay, tokenFor } from './helpers.js';

// The chaos test's clients against three in-process nodes sharing one store: nodes stopped and
// started under load, Redis restarted once. Quick enough for every run; the real processes
// on PostgreSQL, SIGKILLed, are cluster-chaos.test.ts.
const ORDERS = 300;
const NODES = 3;
const TILLS = 3;

let redis: TestRedis;
let store: EventStore;
const relays: (TestRelay | null)[] = [];
const nodes: NodeList = { size: NODES, url: (i) => relays[i]?.url ?? null };

const startNode = (i: number) =>
  startRelay({ store, cluster: { redisUrl: redis.url, nodeId: `node-${i}`, headCheckMs: 100 } });

beforeAll(async () => {
  redis = await startRedis();
  store = createMemoryEventStore();
  for (let i = 0; i < NODES; i += 1) relays[i] = await startNode(i);
});
afterAll(async () => {
  for (const relay of relays) await relay?.close();
  await redis.close();
});

describe('cluster clients moving between nodes', () => {
  it('get every order of their tenant once, in seq order, while nodes stop and start', async () => {
    const kitchens = [
      new ChaosKitchen(nodes, await tokenFor('kitchen', { tenants: ['3'] }), 0, 'k3', ['3']),
      new ChaosKitchen(nodes, await tokenFor('kitchen', { tenants: ['4'] }), 1, 'k4', ['4']),
      new ChaosKitchen(nodes, await tokenFor('kitchen'), 2, 'k-all', null),
    ];
    for (const kitchen of kitchens) kitchen.start();
    const tills = Array.from({ length: TILLS }, (_, p) => p).map(async (p) => {
      const tenant = p % 2 === 0 ? '3' : '4';
      const orders = Array.from({ length: ORDERS / TILLS }, () =>
        order({ order_id: randomUUID(), tenant_id: Number(tenant) }),
      );
      return new ChaosPos(nodes, await tokenFor('pos', { tenants: [tenant] }), p, orders, 10);
    });
    const pos = await Promise.all(tills);
    for (const till of pos) till.start();

    let stopped = 0;
    const churn = (async () => {
      for (let victim = 0; pos.some((t) => t.acked.length < ORDERS / TILLS); ) {
        // Stop a node once a few more orders went through, so every stop lands under load.
        const before = pos.reduce((n, t) => n + t.acked.length, 0);
        await expect
          .poll(() => pos.reduce((n, t) => n + t.acked.length, 0), {
            interval: 20,
            timeout: 10_000,
          })
          .toBeGreaterThanOrEqual(Math.min(ORDERS, before + 40));
        if (before + 40 >= ORDERS) break;
        const relay = relays[victim];
        relays[victim] = null;
        await relay?.close();
        stopped += 1;
        if (stopped === 2) {
          await redis.stop();
          await redis.start();
        }
        relays[victim] = await startNode(victim);
        victim = (victim + 1) % NODES;
      }
    })();
    await Promise.all(pos.map((t) => t.finished));
    await churn;

    const all = pos.flatMap((t) => t.acked);
    expect(new Set(all.map((a) => a.seq)).size).toBe(ORDERS);
    const expectedFor = (k: ChaosKitchen) =>
      all.filter((a) => k.tenants === null || k.tenants.includes(a.tenant));
    await expect
      .poll(() => kitchens.every((k) => expectedFor(k).every((a) => k.received.has(a.orderId))), {
        timeout: 10_000,
      })
      .toBe(true);
    for (const kitchen of kitchens) {
      expect(kitchen.problems, kitchen.name).toEqual([]);
      expect(
        [...kitchen.received.values()].every((n) => n === 1),
        kitchen.name,
      ).toBe(true);
      expect(kitchen.received.size, kitchen.name).toBe(expectedFor(kitchen).length);
      expect(kitchen.connections, kitchen.name).toBeGreaterThan(1);
    }
    expect(stopped).toBeGreaterThanOrEqual(3);
    for (const client of [...kitchens, ...pos]) client.close();
  }, 60_000);
});
