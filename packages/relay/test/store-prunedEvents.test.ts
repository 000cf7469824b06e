import { join } from 'node:path';
import type { OrderLine, OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createKitchenCommands } from '../src/core/kitchenCommands.js';
import { createOrderCommands } from '../src/core/orderCommands.js';
import { createSqliteEventStore, type EventStore, type RetentionPolicy } from '../src/index.js';
import type { PostgresEventStore } from '../src/store/postgres/postgresEventStore.js';
import { readThrough } from '../src/store/postgres/readThrough.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { createWriteQueue } from '../src/store/writeQueue.js';
import { order, removeTempDirs, tempDir } from './helpers.js';
import { openStoreUnderTest, type StoreKind, type StoreUnderTest } from './storeUnderTest.js';

// A command retried with its event_id (an outbox whose ack was lost) must stay a duplicate
// after retention removed its event while the order is still open: other tables' traffic
// rolls the log in minutes, and applying the retry again held a fired course once more.

const underTest: StoreUnderTest[] = [];
afterEach(async () => {
  for (const t of underTest.splice(0)) await t.close();
  removeTempDirs();
});

const NOW = Date.parse('2026-12-06T08:00:00Z');
const DAY_MS = 24 * 3_600_000;
/** Retention by count only: everything but the last event goes (ages are the test's). */
const KEEP_LAST: RetentionPolicy = { maxAgeMs: 365 * DAY_MS, maxEvents: 1 };

const items = [
  { product_id: 1, name: 'Soup', quantity: 1, course: 1 },
  { product_id: 2, name: 'Steak', quantity: 1, course: 2 },
];

async function open(kind: StoreKind) {
  const t = await openStoreUnderTest(kind);
  underTest.push(t);
  const options = {
    store: t.store,
    queue: t.queue,
    maxMessageBytes: 64 * 1024,
    now: () => NOW,
    newId: () => crypto.randomUUID(),
  };
  const commands = createKitchenCommands(options, createOrderCommands(options));
  const send = async (type: string, payload: unknown): Promise<Record<string, unknown>> => ({
    ...(await commands.handle(null, type as never, payload)),
  });
  /** The store's synchronous row reads; PostgreSQL answers them inside a transaction only. */
  const read = <T>(fn: (store: EventStore) => T): Promise<T> =>
    t.kind === 'postgres'
      ? readThrough(t.store as PostgresEventStore, () => fn(t.store))
      : Promise.resolve(fn(t.store));
  const stateOf = async (orderId: string) =>
    (await read((s) => s.getOrder(orderId)))!.state as OrderState;
  return { ...t, send, read, stateOf };
}

describe.each(['sqlite', 'memory', 'postgres'] as const)('%s store', (kind) => {
  it('answers retried commands of an open order as duplicates after retention removed their events', async () => {
    const t = await open(kind);
    const table = order({ items });
    const steak = `${table.order_id}:1`;
    const [H, B, U] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    expect(await t.send('order:publish', table)).toMatchObject({ seq: 1 });
    const preparing = await t.send('order:update', {
      order_id: table.order_id,
      status: 'preparing',
      event_id: U,
    });
    expect(preparing).toMatchObject({ ok: true, seq: 2, duplicate: false });
    const held = await t.send('order:hold', { order_id: table.order_id, course: 2, event_id: H });
    expect(held).toMatchObject({ ok: true, seq: 3, duplicate: false });
    expect(await t.send('order:fire', { order_id: table.order_id, course: 2 })).toMatchObject({
      seq: 4,
    });
    const bumped = await t.send('order:item_update', {
      order_id: table.order_id,
      line_id: steak,
      status: 'ready',
      event_id: B,
    });
    expect(bumped).toMatchObject({ ok: true, seq: 5, duplicate: false });
    expect(
      await t.send('order:recall', { order_id: table.order_id, line_id: steak }),
    ).toMatchObject({ seq: 6 });
    // Other tables' traffic.
    for (let i = 0; i < 3; i++) await t.send('order:publish', order());

    expect(await t.reader.prune(KEEP_LAST, NOW)).toBe(8);
    expect(await t.read((s) => s.getEvent(H))).toBeUndefined();
    expect(await t.read((s) => s.getPrunedEvent?.(H))).toEqual({
      eventId: H,
      orderId: table.order_id,
      type: 'order_held',
      seq: 3,
      version: (held as { version: number }).version,
    });
    const before = await t.stateOf(table.order_id);
    const committed = t.committed.length;

    // In upper case too: ids are compared in lower case.
    const rehold = { order_id: table.order_id, course: 2, event_id: H.toUpperCase() };
    expect(await t.send('order:hold', rehold)).toEqual({
      ok: true,
      seq: 3,
      version: (held as { version: number }).version,
      duplicate: true,
      order: before,
    });
    const rebump = { order_id: table.order_id, line_id: steak, status: 'ready', event_id: B };
    expect(await t.send('order:item_update', rebump)).toMatchObject({
      ok: true,
      seq: 5,
      version: (bumped as { version: number }).version,
      duplicate: true,
    });
    const reupdate = { order_id: table.order_id, status: 'preparing', event_id: U };
    expect(await t.send('order:update', reupdate)).toEqual({
      ok: true,
      seq: 2,
      version: (preparing as { version: number }).version,
      duplicate: true,
    });
    expect(t.committed).toHaveLength(committed);
    const after = await t.stateOf(table.order_id);
    expect(after).toEqual(before);
    // Course 2 fired (not held again), the recalled steak back on the grill (not ready again).
    expect((after.items as OrderLine[]).map((line) => line.status)).toEqual([
      'pending',
      'preparing',
    ]);

    // A pruned id is still refused for another command of the order, or another order.
    const fireWithHoldsId = { order_id: table.order_id, course: 2, event_id: H };
    expect(await t.send('order:fire', fireWithHoldsId)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await t.send('order:publish', { ...order(), event_id: B })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(t.committed).toHaveLength(committed);
  });

  it('forgets the ids with their order, and keeps at most maxPrunedEventIds per order', async () => {
    const t = await open(kind);
    const table = order({ items });
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await t.send('order:publish', table);
    for (const [i, status] of ['preparing', 'ready', 'completed'].entries()) {
      expect(
        await t.send('order:update', { order_id: table.order_id, status, event_id: ids[i] }),
      ).toMatchObject({ ok: true, duplicate: false });
    }
    // The order is finished but its last event stays, so the order stays: of the two ids
    // pruned, the newer.
    await t.reader.prune({ ...KEEP_LAST, maxPrunedEventIds: 1 }, NOW);
    const known = () => t.read((s) => ids.map((id) => s.getPrunedEvent?.(id)?.seq));
    expect(await known()).toEqual([undefined, 3, undefined]);

    await t.send('order:publish', order());
    await t.reader.prune(KEEP_LAST, NOW);
    expect(await t.read((s) => s.getOrder(table.order_id))).toBeUndefined();
    expect(await known()).toEqual([undefined, undefined, undefined]);
  });
});

describe('a SQLite data dir from before pruned event ids were kept (schema version 4)', () => {
  it('gets the table when it opens, and keeps what it prunes from then on', async () => {
    const dataDir = tempDir();
    createSqliteEventStore({ dataDir }).close();
    const db = loadSqliteDriver().open(join(dataDir, 'relay.db'));
    db.exec('DROP TABLE pruned_events');
    db.exec('PRAGMA user_version = 4');
    db.close();

    const store = createSqliteEventStore({ dataDir });
    const commands = createOrderCommands({
      store,
      queue: createWriteQueue(store, () => undefined),
      maxMessageBytes: 64 * 1024,
      now: () => NOW,
      newId: () => crypto.randomUUID(),
    });
    const table = order();
    const eventId = crypto.randomUUID();
    await commands.handle(null, 'order:publish', table);
    const update = { order_id: table.order_id, status: 'preparing', event_id: eventId };
    await commands.handle(null, 'order:update', update);
    await commands.handle(null, 'order:publish', order());
    store.prune(KEEP_LAST, NOW);
    expect(store.getPrunedEvent?.(eventId)).toMatchObject({ orderId: table.order_id, seq: 2 });
    store.close();

    const upgraded = loadSqliteDriver().open(join(dataDir, 'relay.db'), { readonly: true });
    expect(upgraded.pragmaValue('user_version')).toBe(5);
    upgraded.close();
  });
});
