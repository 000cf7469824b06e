import { join } from 'node:path';
import type { OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryEventStore,
  createSqliteEventStore,
  type EventStore,
  type StoredEvent,
} from '../src/index.js';
import type { PostgresEventStore } from '../src/store/postgres/postgresEventStore.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { createWriteQueue } from '../src/store/writeQueue.js';
import { order, removeTempDirs, tempDir } from './helpers.js';
import { openStoreUnderTest, type StoreKind, type StoreUnderTest } from './storeUnderTest.js';

const stores: EventStore[] = [];
const underTest: StoreUnderTest[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const s of underTest.splice(0)) await s.close();
  removeTempDirs();
});

const STORE_KINDS: StoreKind[] = ['sqlite', 'memory', 'postgres'];

function appendOrder(store: EventStore, tenant: string, tsMs: number, status = 'pending') {
  const o = order({ tenant_id: tenant });
  const state = { ...o, status, version: 1 } as OrderState;
  return store.transaction(() => {
    const event = store.append({
      outlet: '1',
      tenant,
      tsMs,
      envelope: {
        event_id: crypto.randomUUID(),
        type: 'new_order',
        outlet_id: 1,
        tenant_id: tenant,
        order_id: o.order_id,
        data: state,
        ts: new Date(tsMs).toISOString(),
      },
    });
    const seq = event.envelope.seq;
    store.putOrder({
      orderId: o.order_id,
      outlet: '1',
      tenant,
      state,
      createdSeq: seq,
      statusSeq: seq,
      updatedMs: tsMs,
    });
    return event;
  });
}

/** The same write as the relay makes it: through the store's own queue. */
function submitOrder(t: StoreUnderTest, tenant: string, tsMs: number, status = 'pending') {
  return t.queue.submit(() => {
    const event = appendOrder(t.store, tenant, tsMs, status);
    return { result: event, events: [event] };
  });
}

const seqs = (events: StoredEvent[]) => events.map((e) => e.envelope.seq);

describe.each(STORE_KINDS)('%s store', (kind) => {
  const open = async () => {
    const t = await openStoreUnderTest(kind);
    underTest.push(t);
    return t;
  };

  it('numbers each outlet from 1 and filters by tenant', async () => {
    const t = await open();
    await submitOrder(t, 'A', 1);
    await submitOrder(t, 'B', 2);
    await submitOrder(t, 'A', 3);
    expect(await t.reader.head('1')).toBe(3);
    expect(await t.reader.head('2')).toBe(0);
    expect(await t.reader.outlets()).toEqual(['1']);
    expect(await t.reader.maxHead()).toBe(3);
    expect(seqs(await t.reader.eventsAfter('1', 0, 10, null))).toEqual([1, 2, 3]);
    expect(seqs(await t.reader.eventsAfter('1', 1, 10, ['A']))).toEqual([3]);
    expect(seqs(await t.reader.eventsAfter('1', 0, 2, null))).toEqual([1, 2]);
    const snapshot = await t.reader.snapshot('1', ['B']);
    expect(snapshot.head).toBe(3);
    expect(snapshot.orders.map((o) => o.tenant_id)).toEqual(['B']);
    expect(seqs(t.committed)).toEqual([1, 2, 3]);
  });

  it('prunes by count and by age, keeping seq going and open orders', async () => {
    const t = await open();
    const hour = 3_600_000;
    for (let i = 0; i < 6; i++) {
      await submitOrder(t, 'A', i * hour, i % 2 === 0 ? 'completed' : 'pending');
    }
    // PostgreSQL ages events by its own clock: log them as long ago as the test's clock (6 h)
    // says they were written.
    if (t.kind === 'postgres') {
      await (t.store as PostgresEventStore).internals.pool.query(
        `UPDATE events SET logged_at = now() - ($1 - ts_ms) * interval '1 millisecond'`,
        [6 * hour],
      );
    }
    expect(await t.reader.prune({ maxAgeMs: 100 * hour, maxEvents: 4 }, 6 * hour)).toBe(2);
    expect(await t.reader.prunedThrough('1')).toBe(2);
    expect(await t.reader.prune({ maxAgeMs: 2.5 * hour, maxEvents: 100 }, 6 * hour)).toBe(2);
    expect(await t.reader.prunedThrough('1')).toBe(4);
    expect(seqs(await t.reader.eventsAfter('1', 0, 10, null))).toEqual([5, 6]);
    expect((await t.reader.snapshot('1', null)).orders).toHaveLength(3);
    expect(await t.reader.countEvents()).toBe(2);
    expect((await submitOrder(t, 'A', 7 * hour)).envelope.seq).toBe(7);
  });

  it("tells the event_id logged at a seq while retention keeps it (a client's since_event is checked against it)", async () => {
    const t = await open();
    const logged = [];
    for (let i = 0; i < 4; i++) logged.push(await submitOrder(t, i % 2 ? 'A' : 'B', i));
    const ids = logged.map((e) => e.envelope.event_id);
    for (const seq of [1, 2, 3, 4]) expect(await t.reader.eventIdAt!('1', seq)).toBe(ids[seq - 1]);
    expect(await t.reader.eventIdAt!('1', 5)).toBeUndefined();
    expect(await t.reader.eventIdAt!('1', 0)).toBeUndefined();
    expect(await t.reader.eventIdAt!('2', 1)).toBeUndefined();
    await t.reader.prune({ maxAgeMs: 1e12, maxEvents: 2 }, 10);
    expect(await t.reader.eventIdAt!('1', 2)).toBeUndefined();
    expect(await t.reader.eventIdAt!('1', 3)).toBe(ids[2]);
  });

  it('keeps cursors', async () => {
    const t = await open();
    expect(await t.reader.getCursor('uplink:1')).toBeUndefined();
    await t.reader.setCursor('uplink:1', 5);
    await t.reader.setCursor('uplink:1', 7);
    expect(await t.reader.getCursor('uplink:1')).toBe(7);
  });
});

// The memory store has no rollback: callers validate before they write (memoryEventStore.ts).
describe.each(['sqlite', 'postgres'] as const)('%s store transactions', (kind) => {
  const open = async () => {
    const t = await openStoreUnderTest(kind);
    underTest.push(t);
    return t;
  };

  it('rolls back a failing write alone, hands its seq to the next, and refuses a used event_id', async () => {
    const t = await open();
    const first = submitOrder(t, 'A', 1);
    const failing = t.queue.submit(() => {
      appendOrder(t.store, 'A', 1);
      throw new Error('boom');
    });
    const third = submitOrder(t, 'A', 1);
    await expect(failing).rejects.toThrow('boom');
    expect((await first).envelope.seq).toBe(1);
    expect((await third).envelope.seq).toBe(2);
    const { envelope, ...keys } = await first;
    const reused = t.queue.submit(() => {
      const event = t.store.append({ ...keys, envelope: { ...envelope } });
      return { result: event, events: [event] };
    });
    await expect(reused).rejects.toThrow();
    expect((await submitOrder(t, 'A', 1)).envelope.seq).toBe(3);
    expect(seqs(await t.reader.eventsAfter('1', 0, 10, null))).toEqual([1, 2, 3]);
    expect(seqs(t.committed)).toEqual([1, 2, 3]);
  });
});

describe('sqlite store on disk', () => {
  it('keeps epoch, head and rows across reopen and records the schema version', () => {
    const dir = tempDir();
    const first = createSqliteEventStore({ dataDir: dir });
    appendOrder(first, 'A', 1);
    const epoch = first.epoch;
    first.close();
    const second = createSqliteEventStore({ dataDir: dir });
    stores.push(second);
    expect(second.epoch).toBe(epoch);
    expect(appendOrder(second, 'A', 2).envelope.seq).toBe(2);
    const db = loadSqliteDriver().open(join(dir, 'relay.db'), { readonly: true });
    expect(db.pragmaValue('user_version')).toBe(5);
    expect(db.pragmaValue('journal_mode')).toBe('wal');
    db.close();
  });

  it('gives the envelopes after a seq as the JSON text it stored, every tenant (the uplink)', () => {
    const store = createSqliteEventStore({ dataDir: tempDir() });
    stores.push(store);
    for (let i = 1; i <= 4; i++) appendOrder(store, i % 2 ? 'A' : 'B', i);
    const texts = store.envelopeTextsAfter!('1', 1, 2);
    expect(texts.map((text) => JSON.parse(text))).toEqual(
      store.eventsAfter('1', 1, 2, null).map((event) => event.envelope),
    );
    expect(texts.map((text) => JSON.parse(text).seq)).toEqual([2, 3]);
  });

  it('a fresh data dir gets a new epoch', () => {
    const a = createSqliteEventStore({ dataDir: tempDir() });
    const b = createSqliteEventStore({ dataDir: tempDir() });
    stores.push(a, b);
    expect(a.epoch).not.toBe(b.epoch);
  });
});

describe('write queue', () => {
  it('commits the writes of one tick in one transaction, rolling back only the failing one', async () => {
    const store = createSqliteEventStore({ dataDir: tempDir() });
    stores.push(store);
    let outer = 0;
    let inBatch = false;
    const committed: number[] = [];
    // Counts outermost transactions: one per tick is the whole point of the queue.
    const queue = createWriteQueue(
      {
        ...store,
        transaction(fn) {
          if (!inBatch) {
            outer += 1;
            inBatch = true;
            try {
              return store.transaction(fn);
            } finally {
              inBatch = false;
            }
          }
          return store.transaction(fn);
        },
      },
      (events: StoredEvent[]) => committed.push(...events.map((e) => e.envelope.seq)),
    );
    const write = () => {
      const event = appendOrder(store, 'A', 1);
      return { result: event.envelope.seq, events: [event] };
    };
    const results = await Promise.allSettled([
      queue.submit(write),
      queue.submit(() => {
        appendOrder(store, 'A', 1);
        throw new Error('boom');
      }),
      queue.submit(write),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outer).toBe(1);
    expect(committed).toEqual([1, 2]);
    expect(store.eventsAfter('1', 0, 10, null).map((e) => e.envelope.seq)).toEqual([1, 2]);
  });
});

describe('sqlite store heads', () => {
  it('a rolled-back write leaves the head as the file has it, and seqs go on without a gap', () => {
    const dataDir = tempDir();
    const store = createSqliteEventStore({ dataDir });
    stores.push(store);
    const first = appendOrder(store, 'A', 1);
    expect(() =>
      store.transaction(() => {
        appendOrder(store, 'A', 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.head('1')).toBe(1);
    // A used event_id is refused by the insert itself.
    expect(() => store.transaction(() => store.append(first))).toThrow();
    expect(store.head('1')).toBe(1);
    expect(appendOrder(store, 'A', 1).envelope.seq).toBe(2);
    store.close();
    const reopened = createSqliteEventStore({ dataDir });
    stores.push(reopened);
    expect(reopened.head('1')).toBe(2);
    expect(appendOrder(reopened, 'A', 1).envelope.seq).toBe(3);
    expect(reopened.eventsAfter('1', 0, 10, null).map((e) => e.envelope.seq)).toEqual([1, 2, 3]);
  });

  it('keeps the head across a reopen after retention emptied the log', () => {
    const dataDir = tempDir();
    const store = createSqliteEventStore({ dataDir });
    stores.push(store);
    for (let i = 0; i < 3; i++) appendOrder(store, 'A', 1);
    expect(store.prune({ maxAgeMs: 1, maxEvents: 100 }, 1_000)).toBe(3);
    store.close();
    const reopened = createSqliteEventStore({ dataDir });
    stores.push(reopened);
    expect(reopened.countEvents()).toBe(0);
    expect(reopened.head('1')).toBe(3);
    expect(reopened.prunedThrough('1')).toBe(3);
    expect(appendOrder(reopened, 'A', 2_000).envelope.seq).toBe(4);
  });
});

describe('write queue failures', () => {
  it('still answers every write when the commit hook throws, and reports it', async () => {
    const store = createMemoryEventStore();
    const reported: unknown[] = [];
    const queue = createWriteQueue(
      store,
      () => {
        throw new Error('broadcast failed');
      },
      setImmediate,
      (error) => reported.push(error),
    );
    const seq = await queue.submit(() => {
      const event = appendOrder(store, 'A', 1);
      return { result: event.envelope.seq, events: [event] };
    });
    expect(seq).toBe(1);
    expect(reported).toHaveLength(1);
    expect(store.countEvents()).toBe(1);
  });
});
