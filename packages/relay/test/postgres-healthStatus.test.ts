import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { freshDatabaseUrl, sharedPostgres } from './sharedPostgres.js';

// What a balancer's health check reads from a cluster node whose store takes no writes:
// the status code, not only the body's `storage`.

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

async function node(databaseUrl: string): Promise<TestRelay> {
  const relay = await startRelay({ store: 'postgres', databaseUrl });
  relays.push(relay);
  return relay;
}

async function health(t: TestRelay): Promise<{ code: number; body: Record<string, unknown> }> {
  const response = await fetch(`${t.url}/health`);
  return { code: response.status, body: await response.json() };
}

/** PostgreSQL answering reads but refusing every write, as with its disk full (SQLSTATE 53100). */
async function refuseWrites(url: string): Promise<{ allow(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  clients.push(admin);
  await admin.connect();
  await admin.query(`CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$`);
  for (const table of ['meta', 'outlet_heads', 'events', 'orders']) {
    await admin.query(
      `CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_write()`,
    );
  }
  return {
    async allow() {
      for (const table of ['meta', 'outlet_heads', 'events', 'orders']) {
        await admin.query(`DROP TRIGGER refuse_write ON ${table}`);
      }
    },
  };
}

describe('/health of a node that cannot store', () => {
  it('answers 503 cannot_store while PostgreSQL is away, and 200 ok once it is back, before any write', async () => {
    const server = await sharedPostgres();
    const t = await node(await freshDatabaseUrl());
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(1);
    expect(await health(t)).toMatchObject({ code: 200, body: { status: 'ok' } });

    await server.halt();
    try {
      expect(await pos.request<PublishAck>('order:publish', order(), 10_000)).toMatchObject({
        ok: false,
        error: { code: 'internal' },
      });
      expect(await health(t)).toMatchObject({
        code: 503,
        body: { status: 'cannot_store', store_reachable: false, storage: { ok: false } },
      });
    } finally {
      await server.start();
    }
    // Taken out of the balancer, the node gets no write that could clear `storage`: its
    // status must come back on its own (a probe's answer is reused for a second).
    await expect
      .poll(async () => (await health(t)).code, { timeout: 5_000, interval: 250 })
      .toBe(200);
    expect(await health(t)).toMatchObject({
      code: 200,
      body: { status: 'ok', store_reachable: true, storage: { ok: false, error: 'internal' } },
    });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(2);
    expect(await health(t)).toMatchObject({ code: 200, body: { storage: { ok: true } } });
  }, 30_000);

  it('answers 503 cannot_store while PostgreSQL answers reads but refuses writes, and 200 once it takes them', async () => {
    const url = await freshDatabaseUrl();
    const t = await node(url);
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(1);

    const database = await refuseWrites(url);
    expect(await pos.request<PublishAck>('order:publish', order())).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    expect(await health(t)).toMatchObject({
      code: 503,
      body: {
        status: 'cannot_store',
        store_reachable: true,
        head_seq: 1,
        storage: { ok: false, error: 'internal' },
      },
    });

    await database.allow();
    // The health check's probe is reused for a second: a later check sees the change.
    await expect
      .poll(async () => (await health(t)).code, { timeout: 5_000, interval: 250 })
      .toBe(200);
    expect((await pos.request<PublishAck>('order:publish', order())).seq).toBe(2);
  }, 30_000);
});
