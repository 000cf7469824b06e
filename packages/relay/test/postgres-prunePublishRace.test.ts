import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrderCommands } from '../src/core/orderCommands.js';
import type { RetentionPolicy } from '../src/index.js';
import { order } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';
import { openStoreUnderTest, type StoreUnderTest } from './storeUnderTest.js';

// Two nodes on one database: one prunes a finished order while the other takes a POS's retry of
// it. The retry's load locks the order's row and so waits for the prune to commit, but the
// pruned id is not in that statement's view: it finds neither, and only the insert's guard
// keeps the order from being logged a second time.

const NOW = Date.parse('2026-12-06T08:00:00Z');
const DAY_MS = 24 * 3_600_000;
/** Everything but the last event goes; one pruned id is kept per outlet. */
const KEEP_LAST_ONE_ID: RetentionPolicy = { maxAgeMs: 365 * DAY_MS, maxEvents: 1, maxPrunedIds: 1 };

const opened: StoreUnderTest[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => {});
  for (const t of opened.splice(0)) await t.close();
});

async function node(url: string) {
  const t = await openStoreUnderTest('postgres', url);
  opened.push(t);
  const commands = createOrderCommands({
    store: t.store,
    queue: t.queue,
    maxMessageBytes: 64 * 1024,
    now: () => NOW,
    newId: () => crypto.randomUUID(),
  });
  return { ...t, commands };
}

/** Resolves once a statement matching `like` waits for a lock (polled, bounded). */
async function waitingOnLock(watcher: pg.Client, like: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await watcher.query(
      `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [like],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no statement like ${like} waited for a lock`);
}

describe('PostgreSQL: a prune on one node while another takes a retry of the pruned order', () => {
  it('answers the retry as a duplicate and logs nothing', async () => {
    const url = await freshDatabaseUrl();
    const retrying = await node(url);
    const pruning = await node(url);
    const finish = async (o = order()) => {
      const published = await retrying.commands.handle(null, 'order:publish', o);
      for (const status of ['preparing', 'ready', 'completed']) {
        await retrying.commands.handle(null, 'order:update', { order_id: o.order_id, status });
      }
      return { order: o, seq: (published as { seq: number }).seq };
    };

    // An older pruned id the next prune will drop (one kept), then the order under test.
    const older = await finish();
    await retrying.commands.handle(null, 'order:publish', order());
    await pruning.reader.prune(KEEP_LAST_ONE_ID, NOW);
    const retried = await finish();
    await retrying.commands.handle(null, 'order:publish', order());
    const headBefore = await retrying.reader.head('1');
    const committedBefore = retrying.committed.length;

    // Hold the older id's row: the prune deletes the order, then stops at dropping that id,
    // its transaction open.
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    clients.push(holder, watcher);
    await holder.connect();
    await watcher.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM pruned_orders WHERE order_id = $1 FOR UPDATE', [
      older.order.order_id,
    ]);
    const prune = pruning.reader.prune(KEEP_LAST_ONE_ID, NOW);
    await waitingOnLock(watcher, 'DELETE FROM pruned_orders%');

    // The retry's load now waits on the deleted order's row, with the pruned id out of view.
    const retry = retrying.commands.handle(null, 'order:publish', retried.order);
    await waitingOnLock(watcher, 'WITH live AS (SELECT * FROM orders%');
    await holder.query('COMMIT');

    expect(await prune).toBeGreaterThan(0);
    expect(await retry).toEqual({ ok: true, seq: retried.seq, duplicate: true });
    expect(retrying.committed).toHaveLength(committedBefore);
    expect(await retrying.reader.head('1')).toBe(headBefore);
    const snapshot = await retrying.reader.snapshot('1', null);
    expect(snapshot.orders.map((o) => o.order_id)).not.toContain(retried.order.order_id);
  });
});
