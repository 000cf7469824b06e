import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteEventStore, type EventStore } from '../src/index.js';
import { newOrderEvent, order, removeTempDirs, tempDir } from './helpers.js';

let store: EventStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  removeTempDirs();
});

/** One commit per order, as the relay does at a light load: a few WAL pages each. */
function publish(target: EventStore, count: number) {
  for (let i = 0; i < count; i++) {
    const o = order();
    target.transaction(() => {
      const { envelope } = target.append(newOrderEvent(o, Date.now()));
      target.putOrder({
        orderId: o.order_id,
        outlet: '1',
        tenant: '3',
        state: envelope.data as OrderState,
        createdSeq: envelope.seq,
        statusSeq: envelope.seq,
        updatedMs: Date.now(),
      });
    });
  }
}

/** The WAL header's checkpoint sequence: SQLite adds one each time the WAL restarts. */
function walRestarts(wal: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(wal, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

describe('WAL checkpoints off the event loop', () => {
  it('copies committed pages into relay.db while the store is open', async () => {
    const dir = tempDir('ks-ckpt-');
    store = createSqliteEventStore({ dataDir: dir });
    const db = join(dir, 'relay.db');
    const before = statSync(db).size;
    // Fewer WAL pages than SQLite's own autocheckpoint (1,000): only the worker moves them.
    publish(store, 60);
    await vi.waitFor(() => expect(statSync(db).size).toBeGreaterThan(before + 32 * 1024), {
      timeout: 5_000,
      interval: 50,
    });
    expect(store.countEvents()).toBe(60);
  });

  it('stops its worker on close, which checkpoints the rest and removes the WAL', async () => {
    const dir = tempDir('ks-ckpt-');
    const first = createSqliteEventStore({ dataDir: dir });
    publish(first, 20);
    first.close();
    await vi.waitFor(() => expect(existsSync(join(dir, 'relay.db-wal'))).toBe(false), {
      timeout: 5_000,
      interval: 50,
    });
    store = createSqliteEventStore({ dataDir: dir });
    expect(store.countEvents()).toBe(20);
    expect(store.head('1')).toBe(20);
  });

  it('lets the WAL restart from its beginning while commits keep coming', {
    timeout: 40_000,
  }, async () => {
    const dir = tempDir('ks-ckpt-');
    store = createSqliteEventStore({ dataDir: dir });
    const wal = join(dir, 'relay.db-wal');
    publish(store, 1);
    const first = walRestarts(wal);
    // A steady stream of commits (~300/s), as a busy relay writes: real time on purpose, since the
    // worker checkpoints on its own clock in its own thread. The stream is bounded by the WAL's
    // size, not by a count, so a loaded machine that runs the worker late gets more commits,
    // never a wrong answer: below 8,000 pages the relay connection's own 10,000-page
    // checkpoint cannot have run, so only the worker can have restarted the WAL.
    const walPageLimit = 8_000 * 4_096;
    const deadline = Date.now() + 30_000;
    while (
      walRestarts(wal) < first + 2 &&
      statSync(wal).size < walPageLimit &&
      Date.now() < deadline
    ) {
      publish(store, 1);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(walRestarts(wal)).toBeGreaterThanOrEqual(first + 2);
  });
});
