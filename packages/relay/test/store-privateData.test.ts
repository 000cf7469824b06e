import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore, type EventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { newOrderEvent, order, removeTempDirs, tempDir } from './helpers.js';

// Guests' names and phones on the outlet's PC: readable by the relay's user only, and gone
// from the file once retention removed them. sqliteEngines.test.ts runs this on node:sqlite.

const posix = process.platform !== 'win32';
const modeOf = (path: string) => statSync(path).mode & 0o777;

let umask: number;
beforeEach(() => {
  // What a fresh install gets from a login shell or systemd: files 0644, folders 0755.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  removeTempDirs();
});

/** Unique, so a hit in the raw file can only be the guest's own bytes. */
const guestName = (label: string) => `Guest-${label}-${randomUUID().slice(0, 8)}`;

/** A published order carrying a guest's name and phone, finished (`cancelled`) or not. */
function addGuestOrder(store: EventStore, name: string, finished: boolean): void {
  store.transaction(() => {
    const o = order({ customer_name: name, customer_phone: `+62-811-${name}` });
    const created = store.append(newOrderEvent(o));
    const state = { ...o, version: 1, status: finished ? 'cancelled' : 'pending' };
    const statusSeq = finished
      ? store.append({
          ...newOrderEvent(o),
          envelope: {
            ...newOrderEvent(o).envelope,
            type: 'order_updated',
            data: { status: 'cancelled', reason: name },
          },
        }).envelope.seq
      : created.envelope.seq;
    store.putOrder({
      orderId: o.order_id,
      outlet: '1',
      tenant: '3',
      state: state as never,
      createdSeq: created.envelope.seq,
      statusSeq,
      updatedMs: 0,
    });
  });
}

/** Every byte the data dir's log files hold, as text. */
const rawLog = (dataDir: string) =>
  ['relay.db', 'relay.db-wal']
    .map((file) => join(dataDir, file))
    .filter(existsSync)
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');

describe.runIf(posix)('file modes', () => {
  it('creates the data dir 0700 and the log, its WAL, shared memory and lock 0600', () => {
    const dataDir = join(tempDir(), 'data');
    const store = createSqliteEventStore({ dataDir });
    addGuestOrder(store, guestName('fresh'), false);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['relay.db', 'relay.db-wal', 'relay.db-shm', 'relay.db.lock']) {
      expect({ file, mode: modeOf(join(dataDir, file)) }).toEqual({ file, mode: 0o600 });
    }
    store.close();
  });

  it('makes the files an older release left readable private at start, and says so', () => {
    const dataDir = join(tempDir(), 'data');
    createSqliteEventStore({ dataDir }).close();
    chmodSync(dataDir, 0o755);
    for (const file of ['relay.db', 'relay.db.lock']) chmodSync(join(dataDir, file), 0o644);
    writeFileSync(join(dataDir, 'relay.db-wal'), '', { mode: 0o644 });

    const warnings: string[] = [];
    const store = createSqliteEventStore({ dataDir, onWarning: (m) => warnings.push(m) });
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['relay.db', 'relay.db-wal', 'relay.db-shm', 'relay.db.lock']) {
      expect({ file, mode: modeOf(join(dataDir, file)) }).toEqual({ file, mode: 0o600 });
    }
    expect(warnings.join('\n')).toContain(
      `made the relay's data readable by this user only: ${dataDir} (755 → 700), ${join(dataDir, 'relay.db')} (644 → 600)`,
    );
    store.close();

    const again: string[] = [];
    createSqliteEventStore({ dataDir, onWarning: (m) => again.push(m) }).close();
    expect(again).toEqual([]);
  });

  it('leaves the folder of a file named by the caller alone', () => {
    const shared = tempDir();
    chmodSync(shared, 0o755);
    const store = createSqliteEventStore({ filename: join(shared, 'orders.db') });
    expect(modeOf(shared)).toBe(0o755);
    expect(modeOf(join(shared, 'orders.db'))).toBe(0o600);
    store.close();
  });
});

describe('guest data retention removed', () => {
  it('is no longer in the bytes of relay.db once checkpointed', () => {
    const dataDir = tempDir();
    const store = createSqliteEventStore({ dataDir });
    const pruned = Array.from({ length: 40 }, (_, i) => guestName(`pruned${i}`));
    for (const name of pruned) addGuestOrder(store, name, true);
    const kept = guestName('kept');
    addGuestOrder(store, kept, false);

    expect(store.prune({ maxAgeMs: Number.MAX_SAFE_INTEGER, maxEvents: 1 }, 0)).toBe(80);
    store.close();

    const raw = rawLog(dataDir);
    // The file is readable as text at all: the guest still waiting is in it.
    expect(raw).toContain(kept);
    expect(pruned.filter((name) => raw.includes(name))).toEqual([]);
  });

  it('an older relay pruned is cleared from the file once, at the first start', () => {
    const dataDir = tempDir();
    const first = createSqliteEventStore({ dataDir });
    const pruned = Array.from({ length: 40 }, (_, i) => guestName(`old${i}`));
    for (const name of pruned) addGuestOrder(first, name, true);
    first.close();
    // What a relay without secure_delete left: rows deleted, their bytes still in the file.
    const db = loadSqliteDriver().open(join(dataDir, 'relay.db'));
    db.exec('PRAGMA secure_delete = OFF');
    db.exec(`UPDATE outlets SET pruned_through = (SELECT MAX(seq) FROM events);
      DELETE FROM events; DELETE FROM orders; DELETE FROM meta WHERE key <> 'epoch'`);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    expect(pruned.filter((name) => rawLog(dataDir).includes(name)).length).toBeGreaterThan(0);

    const warnings: string[] = [];
    const store = createSqliteEventStore({ dataDir, onWarning: (m) => warnings.push(m) });
    store.close();
    expect(pruned.filter((name) => rawLog(dataDir).includes(name))).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^cleared guest data an older relay had deleted from relay.db/),
    ]);

    // Once: the next start does not rewrite the file again.
    const again: string[] = [];
    createSqliteEventStore({ dataDir, onWarning: (m) => again.push(m) }).close();
    expect(again).toEqual([]);
  });
});

describe.runIf(posix)('a data dir made for the first time', () => {
  it('is 0700 with every folder the relay created for it', () => {
    const root = tempDir();
    mkdirSync(join(root, 'srv'));
    const dataDir = join(root, 'srv', 'kitchen', 'data');
    createSqliteEventStore({ dataDir }).close();
    expect(modeOf(join(root, 'srv', 'kitchen'))).toBe(0o700);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(root, 'srv'))).toBe(0o755);
  });
});
