import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import { createOrderCommands } from '../src/core/orderCommands.js';
import { createSqliteEventStore, type EventStore, type RetentionPolicy } from '../src/index.js';
import type { PostgresEventStore } from '../src/store/postgres/postgresEventStore.js';
import { readThrough } from '../src/store/postgres/readThrough.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { createWriteQueue } from '../src/store/writeQueue.js';
import { order, removeTempDirs, tempDir } from './helpers.js';
import { openStoreUnderTest, type StoreKind, type StoreUnderTest } from './storeUnderTest.js';

// Retention removes a finished order with its events; its id must still name it, or a POS
// retry (its ack lost) or central's log read again after a restore is a second ticket.

const underTest: StoreUnderTest[] = [];
afterEach(async () => {
  for (const t of underTest.splice(0)) await t.close();
  removeTempDirs();
});

const NOW = Date.parse('2026-12-06T08:00:00Z');
const DAY_MS = 24 * 3_600_000;
/** Retention by count only: everything but the last event goes (ages are the test's). */
const KEEP_LAST: RetentionPolicy = { maxAgeMs: 365 * DAY_MS, maxEvents: 1 };

const kitchen: Principal = {
  sub: 'kitchen-1',
  role: 'kitchen',
  outletId: 1,
  outlet: '1',
  tenants: null,
};

async function open(kind: StoreKind) {
  const t = await openStoreUnderTest(kind);
  underTest.push(t);
  const commands = createOrderCommands({
    store: t.store,
    queue: t.queue,
    maxMessageBytes: 64 * 1024,
    now: () => NOW,
    newId: () => crypto.randomUUID(),
  });
  /** The store's synchronous row reads; PostgreSQL answers them inside a transaction only. */
  const read = <T>(fn: (store: EventStore) => T): Promise<T> =>
    t.kind === 'postgres'
      ? readThrough(t.store as PostgresEventStore, () => fn(t.store))
      : Promise.resolve(fn(t.store));
  /** Published and taken to completed: four events. Returns the publish's seq. */
  const finished = async (o = order()) => {
    const published = await commands.handle(null, 'order:publish', o);
    expect(published).toMatchObject({ ok: true, duplicate: false });
    for (const status of ['preparing', 'ready', 'completed']) {
      const changed = await commands.handle(null, 'order:update', { order_id: o.order_id, status });
      expect(changed).toMatchObject({ ok: true });
    }
    return (published as { seq: number }).seq;
  };
  return { ...t, commands, read, finished };
}

describe.each(['sqlite', 'memory', 'postgres'] as const)('%s store', (kind) => {
  it('answers a re-publish of a finished order retention removed as a duplicate, and stores nothing', async () => {
    const t = await open(kind);
    const done = order();
    expect(await t.finished(done)).toBe(1);
    const open_ = order();
    expect(await t.commands.handle(null, 'order:publish', open_)).toMatchObject({ seq: 5 });

    expect(await t.reader.prune(KEEP_LAST, NOW)).toBe(4);
    expect(await t.read((s) => s.getOrder(done.order_id))).toBeUndefined();
    expect(await t.read((s) => s.getPrunedOrder?.(done.order_id))).toEqual({
      orderId: done.order_id,
      outlet: '1',
      tenant: '3',
      status: 'completed',
      createdSeq: 1,
      statusSeq: 4,
      finishedMs: NOW,
    });
    expect(await t.read((s) => s.getPrunedOrder?.(open_.order_id))).toBeUndefined();

    const committedBefore = t.committed.length;
    expect(await t.commands.handle(null, 'order:publish', done)).toEqual({
      ok: true,
      seq: 1,
      duplicate: true,
    });
    // In upper case too: ids are compared in lower case.
    const shouted = { ...done, order_id: done.order_id.toUpperCase() };
    expect(await t.commands.handle(null, 'order:publish', shouted)).toMatchObject({
      seq: 1,
      duplicate: true,
    });
    expect(t.committed).toHaveLength(committedBefore);
    expect(await t.reader.head('1')).toBe(5);
    const snapshot = await t.reader.snapshot('1', null);
    expect(snapshot.orders.map((o) => o.order_id)).toEqual([open_.order_id]);

    // The other commands answer as they did before ids were kept.
    expect(
      await t.commands.handle(null, 'order:update', {
        order_id: done.order_id,
        status: 'cancelled',
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.commands.handle(kitchen, 'order:ack', { order_id: done.order_id })).toEqual({
      ok: true,
      seq: 0,
      duplicate: false,
      obsolete: true,
    });
    expect(t.committed).toHaveLength(committedBefore);
  });

  it("refuses a re-publish from outside the pruned order's outlet", async () => {
    const t = await open(kind);
    const done = order();
    await t.finished(done);
    await t.commands.handle(null, 'order:publish', order());
    await t.reader.prune(KEEP_LAST, NOW);
    const otherOutlet: Principal = {
      ...kitchen,
      sub: 'pos-2',
      role: 'pos',
      outlet: '2',
      outletId: 2,
    };
    const sent = { ...done, outlet_id: 2 };
    expect(await t.commands.handle(otherOutlet, 'order:publish', sent)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('keeps at most maxPrunedIds per outlet, the newest, and forgets them after prunedIdsKeptMs', async () => {
    const t = await open(kind);
    const [first, second, third] = [order(), order(), order()];
    for (const o of [first, second, third]) await t.finished(o);
    await t.commands.handle(null, 'order:publish', order());

    await t.reader.prune({ ...KEEP_LAST, maxPrunedIds: 2 }, NOW);
    const known = () =>
      t.read((s) => [first, second, third].map((o) => s.getPrunedOrder?.(o.order_id)?.statusSeq));
    expect(await known()).toEqual([undefined, 8, 12]);

    // A second later, with ids kept for one second. PostgreSQL ages them by its own clock.
    if (t.kind === 'postgres') {
      await (t.store as PostgresEventStore).internals.pool.query(
        `UPDATE pruned_orders SET pruned_at = now() - interval '2 seconds'`,
      );
    }
    await t.reader.prune({ ...KEEP_LAST, prunedIdsKeptMs: 1_000 }, NOW + 2_000);
    expect(await known()).toEqual([undefined, undefined, undefined]);
    // The bound is real: past it, the id is new again.
    expect(await t.commands.handle(null, 'order:publish', second)).toMatchObject({
      ok: true,
      duplicate: false,
    });
  });
});

describe('a SQLite data dir from before pruned ids were kept (schema version 3)', () => {
  it('gets the table when it opens, and keeps what it prunes from then on', async () => {
    const dataDir = tempDir();
    const older = createSqliteEventStore({ dataDir });
    older.close();
    const db = loadSqliteDriver().open(join(dataDir, 'relay.db'));
    db.exec('DROP TABLE pruned_orders');
    db.exec('DROP TABLE pruned_events');
    db.exec('PRAGMA user_version = 3');
    db.close();

    const store = createSqliteEventStore({ dataDir });
    const commands = createOrderCommands({
      store,
      queue: createWriteQueue(store, () => undefined),
      maxMessageBytes: 64 * 1024,
      now: () => NOW,
      newId: () => crypto.randomUUID(),
    });
    const done = order();
    await commands.handle(null, 'order:publish', done);
    await commands.handle(null, 'order:update', { order_id: done.order_id, status: 'cancelled' });
    await commands.handle(null, 'order:publish', order());
    store.prune(KEEP_LAST, NOW);
    expect(store.getPrunedOrder?.(done.order_id)).toMatchObject({ status: 'cancelled' });
    store.close();

    const upgraded = loadSqliteDriver().open(join(dataDir, 'relay.db'), { readonly: true });
    expect(upgraded.pragmaValue('user_version')).toBe(5);
    expect(
      upgraded.prepare(`SELECT name FROM sqlite_master WHERE name = 'pruned_orders'`).get(),
    ).toEqual({ name: 'pruned_orders' });
    upgraded.close();
  });
});
