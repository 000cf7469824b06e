import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

const relays: TestRelay[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end();
  for (const r of relays.splice(0)) await r.close();
});

describe('retention on PostgreSQL past a row whose body is not JSON', () => {
  it('prunes the outlet anyway, keeping the ids of the open order it removes events of', async () => {
    const url = await freshDatabaseUrl();
    const t = await startRelay({ store: 'postgres', databaseUrl: url });
    relays.push(t);
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const open = order();
    const published = await pos.request<{ ok: boolean; seq: number }>('order:publish', open);
    expect(published).toMatchObject({ ok: true, seq: 1 });
    // A row written by hand (or a damaged page): its body is not JSON, nor an object.
    const db = new pg.Client({ connectionString: url });
    clients.push(db);
    await db.connect();
    await db.query(
      `INSERT INTO events (outlet, seq, event_id, tenant, ts_ms, body) VALUES
         ('1', 2, 'damaged-1', '3', 0, '{"type": "new_order", "order_id":'),
         ('1', 3, 'damaged-2', '3', 0, '[1, 2]')`,
    );
    await db.query(`UPDATE outlet_heads SET head = 3 WHERE outlet = '1'`);

    const removed = await t.relay.reader.prune({ maxAgeMs: 0, maxEvents: 0 }, Date.now());
    expect(removed).toBe(3);
    expect(await t.relay.reader.prunedThrough('1')).toBe(3);
    const { rows } = await db.query('SELECT event_id, order_id FROM pruned_events');
    expect(rows).toEqual([{ event_id: expect.any(String), order_id: open.order_id }]);
    // The open order's publish, retried, is still answered as the first one was.
    const again = await pos.request<{ ok: boolean; seq: number; duplicate: boolean }>(
      'order:publish',
      open,
    );
    expect(again).toMatchObject({ ok: true, seq: 1, duplicate: true });
  });
});
