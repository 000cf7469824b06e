import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports.js';
import { createRelay } from '../src/index.js';
import { createPostgresEventStore } from '../src/store/postgres/postgresEventStore.js';
import { MIGRATIONS } from '../src/store/postgres/schema.js';
import { connected, order, peek, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { freshDatabaseUrl, sharedPostgres } from './sharedPostgres.js';

/** Orders per run in CI; KS_CLUSTER_ORDERS=3000 for the full count. */
const ORDERS = Number(process.env.KS_CLUSTER_ORDERS ?? 150);
const NODES = 3;

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

async function node(databaseUrl: string): Promise<TestRelay> {
  const relay = await startRelay({ store: 'postgres', databaseUrl });
  relays.push(relay);
  return relay;
}

interface PublishAck {
  ok: boolean;
  seq: number;
  error?: { code: string };
}

describe('relay nodes sharing one PostgreSQL', () => {
  it(`give ${ORDERS} concurrent publishes for one outlet on ${NODES} nodes the seqs 1..${ORDERS}, each acked once`, async () => {
    const url = await freshDatabaseUrl();
    // Started together: the migrations must queue on their lock, and all share one epoch.
    const nodes = await Promise.all(Array.from({ length: NODES }, () => node(url)));
    expect(new Set(nodes.map((n) => n.relay.epoch)).size).toBe(1);
    const poses = await Promise.all(
      nodes.map(async (n, i) =>
        connected(n.url, { token: await tokenFor('pos', { sub: `pos-${i}` }) }),
      ),
    );
    const acks = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        poses[i % NODES]!.request<PublishAck>('order:publish', order(), 20_000),
      ),
    );
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    const seqs = acks.map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: ORDERS }, (_, i) => i + 1));
    const logged = await nodes[0]!.relay.reader.eventsAfter('1', 0, ORDERS + 10, null);
    expect(logged.map((e) => e.envelope.seq)).toEqual(seqs);
    expect(await nodes[2]!.relay.reader.head('1')).toBe(ORDERS);
  }, 60_000);

  it('answers a re-publish on another node with the first seq, an edit with order_conflict', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [await node(url), await node(url)];
    const o = order();
    const posA = await connected(a.url, { token: await tokenFor('pos') });
    const posB = await connected(b.url, { token: await tokenFor('pos') });
    const first = await posA.request<PublishAck>('order:publish', o);
    const again = await posB.request<PublishAck & { duplicate: boolean }>('order:publish', o);
    expect(again).toMatchObject({ ok: true, seq: first.seq, duplicate: true });
    expect(await b.relay.reader.countEvents()).toBe(1);
    const edited = { ...o, items: [...o.items, { product_id: 11, name: 'Teh', quantity: 1 }] };
    expect(await posB.request('order:publish', edited)).toMatchObject({
      ok: false,
      error: { code: 'order_conflict' },
    });
    expect(await b.relay.reader.countEvents()).toBe(1);
  });

  it('logs an order published on two nodes at the same moment once, and answers both with its seq', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [await node(url), await node(url)];
    const posA = await connected(a.url, { token: await tokenFor('pos') });
    const posB = await connected(b.url, { token: await tokenFor('pos') });
    const orders = Array.from({ length: 20 }, () => order());
    const answers = await Promise.all(
      orders.map((o) =>
        Promise.all([
          posA.request<PublishAck & { duplicate: boolean }>('order:publish', o),
          posB.request<PublishAck & { duplicate: boolean }>('order:publish', o),
        ]),
      ),
    );
    for (const [fromA, fromB] of answers) {
      expect(fromA.ok && fromB.ok).toBe(true);
      expect(fromA.seq).toBe(fromB.seq);
      expect([fromA.duplicate, fromB.duplicate].sort()).toEqual([false, true]);
    }
    expect(await a.relay.reader.countEvents()).toBe(orders.length);
    expect(await b.relay.reader.head('1')).toBe(orders.length);
  });

  it('lets two nodes change one order at the same moment without losing either change', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [await node(url), await node(url)];
    const pos = await connected(a.url, { token: await tokenFor('pos') });
    const kitchens = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        connected((i % 2 ? b : a).url, {
          token: await tokenFor('kitchen', { sub: `kds-${i}` }),
        }),
      ),
    );
    const o = order();
    await pos.request('order:publish', o);
    const acks = await Promise.all(
      kitchens.map((k) => k.request<PublishAck>('order:ack', { order_id: o.order_id })),
    );
    expect(acks.map((x) => x.seq).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7]);
    const stored = await peek(b.relay, (s) => s.getOrder(o.order_id));
    expect(stored?.state.version).toBe(7);
    expect([...(stored?.state.acknowledged_by ?? [])].sort()).toEqual(
      kitchens.map((_, i) => `kds-${i}`),
    );
  });

  it('a kitchen on node B catches up on what node A logged', async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = [await node(url), await node(url)];
    const pos = await connected(a.url, { token: await tokenFor('pos') });
    for (let i = 0; i < 3; i++) await pos.request('order:publish', order());
    const kitchen = await connected(b.url, {
      token: await tokenFor('kitchen'),
      since: 1,
      epoch: a.relay.epoch,
    });
    expect(kitchen.events().map((e) => e.seq)).toEqual([2, 3]);
  });
});

describe('PostgreSQL store start-up', () => {
  const refusedWith = async (databaseUrl: string) => {
    const relay = createRelay({
      host: '127.0.0.1',
      port: 0,
      insecureNoAuth: true,
      logLevel: 'silent',
      store: 'postgres',
      databaseUrl,
    });
    try {
      await relay.listen();
      return 'started';
    } catch (error) {
      return (error as { code?: string }).code;
    } finally {
      await relay.close();
    }
  };

  it('refuses an unreachable database with store_unreachable', async () => {
    const port = await freePort();
    expect(await refusedWith(`postgres://postgres@127.0.0.1:${port}/none`)).toBe(
      'store_unreachable',
    );
  });

  it('refuses a schema newer than it knows with store_schema_newer', async () => {
    const url = await freshDatabaseUrl();
    const store = createPostgresEventStore({ url });
    await store.open();
    await store.internals.pool.query('INSERT INTO schema_version (version) VALUES ($1)', [
      MIGRATIONS.length + 1,
    ]);
    await store.close();
    expect(await refusedWith(url)).toBe('store_schema_newer');
  });

  it('keeps its epoch across a restart of the node', async () => {
    const url = await freshDatabaseUrl();
    const first = await node(url);
    const epoch = first.relay.epoch;
    await relays.pop()!.close();
    expect((await node(url)).relay.epoch).toBe(epoch);
  });
});

describe('PostgreSQL going away', () => {
  it('fails writes with a code instead of hanging, says so on /health, and recovers', async () => {
    const server = await sharedPostgres();
    const t = await node(await freshDatabaseUrl());
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(1);
    await server.halt();
    try {
      const failed = await pos.request<PublishAck>('order:publish', order(), 10_000);
      expect(failed).toMatchObject({ ok: false, error: { code: 'internal' } });
      const health = await (await fetch(`${t.url}/health`)).json();
      expect(health).toMatchObject({ store: 'postgres', store_reachable: false });
    } finally {
      await server.start();
    }
    expect(await pos.request<PublishAck>('order:publish', order())).toMatchObject({
      ok: true,
      seq: 2,
    });
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health).toMatchObject({ store: 'postgres', store_reachable: true, head_seq: 2 });
  });
});
