import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionLimits } from '../src/store/postgres/connectionLimits.js';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../src/store/postgres/postgresEventStore.js';
import { connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

// The relay's default client timeout (PostgresEventStoreOptions.timeoutMs) and what it makes
// PostgreSQL enforce on each connection.
const CLIENT_TIMEOUT_MS = 5_000;
const LIMITS = connectionLimits(CLIENT_TIMEOUT_MS);

interface PublishAck {
  ok: boolean;
  seq: number;
  error?: { code: string };
}

const relays: TestRelay[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  for (const r of relays.splice(0)) await r.close();
});

async function node(databaseUrl: string, store?: PostgresEventStore): Promise<TestRelay> {
  const relay = await startRelay(store ? { store } : { store: 'postgres', databaseUrl });
  relays.push(relay);
  return relay;
}

/** A plain connection, without the relay's limits: an operator's psql session, say. */
async function plainClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  clients.push(c);
  await c.connect();
  return c;
}

/** Backends of this database waiting for a lock (the pile-up of the audit). */
async function waitingOnALock(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0]!.n;
}

async function health(t: TestRelay) {
  return (await fetch(`${t.url}/health`)).json();
}

describe('a node stuck on an outlet head row', () => {
  it('derives PostgreSQL limits below the client timeout', () => {
    expect(LIMITS.lock_timeout).toBeLessThan(CLIENT_TIMEOUT_MS);
    expect(LIMITS.statement_timeout).toBeLessThan(CLIENT_TIMEOUT_MS);
    expect(LIMITS.idle_in_transaction_session_timeout).toBeLessThan(CLIENT_TIMEOUT_MS);
  });

  it('ends a publish waiting behind the row in PostgreSQL: no waiting backend stays, /health says writes fail, and the row free again takes writes', async () => {
    const url = await freshDatabaseUrl();
    const t = await node(url);
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(1);

    const holder = await plainClient(url);
    const admin = await plainClient(url);
    await holder.query('BEGIN');
    await holder.query(`SELECT head FROM outlet_heads WHERE outlet = '1' FOR UPDATE`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now();
      const answer = await pos.request<PublishAck>('order:publish', order(), 15_000);
      expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
      // PostgreSQL's lock_timeout ended the wait, before the client's own timeout.
      expect(Date.now() - started).toBeLessThan(CLIENT_TIMEOUT_MS);
      expect(await waitingOnALock(admin)).toBe(0);
    }
    expect(await health(t)).toMatchObject({
      status: 'ok',
      store_reachable: true,
      storage: { ok: false, error: 'internal' },
    });

    await holder.query('ROLLBACK');
    expect(await pos.request<PublishAck>('order:publish', order())).toMatchObject({
      ok: true,
      seq: 2,
    });
    expect(await health(t)).toMatchObject({ storage: { ok: true } });
  }, 30_000);

  it('takes the row from a node that froze in the middle of a batch: the others write within seconds with the seq it gave back, and the node itself recovers', async () => {
    const url = await freshDatabaseUrl();
    const healthy = await node(url);
    const frozenStore = createPostgresEventStore({ url });
    const frozen = await node(url, frozenStore);
    const pos = await connected(healthy.url, { token: await tokenFor('pos', { sub: 'pos-1' }) });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(1);

    // The frozen node's batch took seq 2 on one of its own connections, then its process
    // stopped: no statement, no COMMIT, no FIN.
    const batch = await frozenStore.internals.pool.connect();
    await batch.query('BEGIN');
    await batch.query(`UPDATE outlet_heads SET head = head + 1 WHERE outlet = '1'`);
    const frozeAt = Date.now();

    let answer: PublishAck | undefined;
    for (let attempt = 0; attempt < 5 && !answer?.ok; attempt++) {
      answer = await pos.request<PublishAck>('order:publish', order(), 15_000);
    }
    expect(answer).toMatchObject({ ok: true, seq: 2 });
    expect(Date.now() - frozeAt).toBeLessThan(
      LIMITS.idle_in_transaction_session_timeout + LIMITS.lock_timeout,
    );
    const admin = await plainClient(url);
    expect(await waitingOnALock(admin)).toBe(0);

    // Thawed: its connection is gone (PostgreSQL ended it), the process is still up, and its
    // next write opens a new one.
    await expect(batch.query('SELECT 1')).rejects.toThrow();
    batch.release(true);
    const posOnFrozen = await connected(frozen.url, {
      token: await tokenFor('pos', { sub: 'pos-2' }),
    });
    expect(await posOnFrozen.request<PublishAck>('order:publish', order())).toMatchObject({
      ok: true,
      seq: 3,
    });
    expect(await healthy.relay.reader.eventsAfter('1', 0, 10, null)).toHaveLength(3);
  }, 30_000);
});
