import type { Order } from '@kitchen-sync/protocol';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../src/index.js';
import { MIGRATIONS } from '../src/store/postgres/schema.js';
import {
  connected,
  order,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

const HOUR_MS = 3_600_000;
/** The relay's default retention. */
const RETENTION = { maxAgeMs: 24 * HOUR_MS, maxEvents: 10_000 };

interface PublishAck {
  ok: boolean;
  seq: number;
  duplicate?: boolean;
}

const relays: TestRelay[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end();
  for (const r of relays.splice(0)) await r.close();
});

/** A node on the shared database; `skewMs` sets its clock off the real one. */
async function node(databaseUrl: string, skewMs = 0): Promise<TestRelay> {
  const options: RelayOptions = { store: 'postgres', databaseUrl };
  if (skewMs !== 0) options.now = () => Date.now() + skewMs;
  const relay = await startRelay(options);
  relays.push(relay);
  return relay;
}

async function pos(t: TestRelay, sub: string): Promise<TestClient> {
  return connected(t.url, { token: await tokenFor('pos', { sub }) });
}

/** Publishes an order and takes it to completed: four events, a finished order. */
async function publishAndFinish(client: TestClient, o: Order): Promise<number> {
  const first = await client.request<PublishAck>('order:publish', o);
  expect(first.ok).toBe(true);
  for (const status of ['preparing', 'ready', 'completed']) {
    expect(await client.request('order:update', { order_id: o.order_id, status })).toMatchObject({
      ok: true,
    });
  }
  return first.seq;
}

describe('retention on PostgreSQL follows the database clock', () => {
  it('a node whose clock is 25 h ahead joins without pruning young events: a retry of a finished order stays a duplicate', async () => {
    const url = await freshDatabaseUrl();
    const healthy = await node(url);
    const till = await pos(healthy, 'pos-1');
    const finished = order();
    const seq = await publishAndFinish(till, finished);

    // It prunes as it starts, by a clock a day and an hour ahead.
    await node(url, 25 * HOUR_MS);
    expect(await healthy.relay.reader.prunedThrough('1')).toBe(0);
    expect(await healthy.relay.reader.countEvents()).toBe(4);
    expect(await till.request<PublishAck>('order:publish', finished)).toMatchObject({
      ok: true,
      seq,
      duplicate: true,
    });
  });

  it('an order logged by a node 25 h behind does not make the others prune young events', async () => {
    const url = await freshDatabaseUrl();
    const healthy = await node(url);
    const behind = await node(url, -25 * HOUR_MS);
    const first = order();
    const late = order();
    const firstSeq = await publishAndFinish(await pos(healthy, 'pos-1'), first);
    const lateSeq = await publishAndFinish(await pos(behind, 'pos-2'), late);
    expect(
      (await healthy.relay.reader.eventsAfter('1', lateSeq - 1, 1, null))[0]?.tsMs,
    ).toBeLessThan(Date.now() - 24 * HOUR_MS);

    // A healthy node prunes as it starts, by the real clock.
    const another = await node(url);
    expect(await another.relay.reader.prunedThrough('1')).toBe(0);
    expect(await another.relay.reader.countEvents()).toBe(8);
    const till = await pos(another, 'pos-3');
    for (const [o, seq] of [
      [first, firstSeq],
      [late, lateSeq],
    ] as const) {
      expect(await till.request<PublishAck>('order:publish', o)).toMatchObject({
        ok: true,
        seq,
        duplicate: true,
      });
    }
  });

  it('cuts below the oldest event still young by the database clock, whatever the order of the stamps', async () => {
    const url = await freshDatabaseUrl();
    const t = await node(url);
    const till = await pos(t, 'pos-1');
    const orders = [order(), order(), order()];
    for (const o of orders) await publishAndFinish(till, o); // seqs 1-4, 5-8, 9-12
    const db = new pg.Client({ connectionString: url });
    clients.push(db);
    await db.connect();
    // By the database: 1-5 and 7 were logged 25 h ago, 6 and 8-12 just now.
    await db.query(
      `UPDATE events SET logged_at = now() - interval '25 hours'
       WHERE outlet = '1' AND (seq <= 5 OR seq = 7)`,
    );
    // Node clocks play no part: the prune's own clock is two days ahead.
    expect(await t.relay.reader.prune(RETENTION, Date.now() + 48 * HOUR_MS)).toBe(5);
    expect(await t.relay.reader.prunedThrough('1')).toBe(5);
    expect((await t.relay.reader.eventsAfter('1', 0, 20, null)).map((e) => e.envelope.seq)).toEqual(
      [6, 7, 8, 9, 10, 11, 12],
    );
    // The first order finished at seq 4 and went with its events; the second finished at 8.
    const { rows } = await db.query<{ order_id: string }>('SELECT order_id FROM orders');
    expect(rows.map((r) => r.order_id).sort()).toEqual(
      [orders[1]!.order_id, orders[2]!.order_id].sort(),
    );
    // Once everything is old by the database clock, all of it goes.
    await db.query(`UPDATE events SET logged_at = now() - interval '25 hours'`);
    expect(await t.relay.reader.prune(RETENTION, 0)).toBe(7);
    expect(await t.relay.reader.prunedThrough('1')).toBe(12);
  });

  // The ids of the orders a prune removes are the cluster's, like the log: a POS whose ack
  // was lost may re-send to any node.
  it('a finished order one node pruned is a duplicate when a POS re-sends it to another node', async () => {
    const url = await freshDatabaseUrl();
    const pruning = await node(url);
    const other = await node(url);
    const finished = order();
    const seq = await publishAndFinish(await pos(pruning, 'pos-1'), finished); // seqs 1-4
    await publishAndFinish(await pos(pruning, 'pos-1'), order()); // seqs 5-8
    const db = new pg.Client({ connectionString: url });
    clients.push(db);
    await db.connect();
    await db.query(
      `UPDATE events SET logged_at = now() - interval '25 hours' WHERE outlet = '1' AND seq <= 4`,
    );
    expect(await pruning.relay.reader.prune(RETENTION, Date.now())).toBe(4);

    const till = await pos(other, 'pos-2');
    expect(await till.request<PublishAck>('order:publish', finished)).toEqual({
      ok: true,
      seq,
      duplicate: true,
    });
    expect(await other.relay.reader.head('1')).toBe(8);
    expect((await other.relay.reader.snapshot('1', null)).orders).toEqual([]);
    const { rows } = await db.query<{ order_id: string; status: string }>(
      'SELECT order_id, status FROM pruned_orders',
    );
    expect(rows).toEqual([{ order_id: finished.order_id, status: 'completed' }]);
  });

  it('counts the events of a database from before logged_at from the upgrade: none pruned early', async () => {
    const url = await freshDatabaseUrl();
    const db = new pg.Client({ connectionString: url });
    clients.push(db);
    await db.connect();
    // A database as the first release left it, with one event whose node clock said 1970.
    await db.query(
      'CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    await db.query(MIGRATIONS[0]!);
    await db.query('INSERT INTO schema_version (version) VALUES (1)');
    const o = order();
    await db.query(`INSERT INTO outlet_heads (outlet, head) VALUES ('1', 1)`);
    await db.query(
      `INSERT INTO events (outlet, seq, event_id, tenant, ts_ms, body) VALUES ('1', 1, $1, '1', 0, $2)`,
      [o.order_id, JSON.stringify({ seq: 1, event_id: o.order_id, type: 'new_order' })],
    );

    // Upgraded as it starts, then prunes.
    const t = await node(url);
    expect(await t.relay.reader.prunedThrough('1')).toBe(0);
    expect(await t.relay.reader.countEvents()).toBe(1);
    const { rows } = await db.query<{ version: number }>(
      'SELECT max(version) AS version FROM schema_version',
    );
    expect(rows[0]!.version).toBe(MIGRATIONS.length);
  });
});
