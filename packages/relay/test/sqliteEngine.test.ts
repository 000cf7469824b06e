import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore, type EventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import {
  http,
  newOrderEvent,
  removeTempDirs,
  startRelay,
  type TestRelay,
  tempDir,
} from './helpers.js';

// This file runs twice: on the Node that runs vitest (20: better-sqlite3) and, through
// sqliteEngines.test.ts, on the pinned Node 24 binary (node:sqlite).
const expectedEngine = process.getBuiltinModule?.('node:sqlite') ? 'node:sqlite' : 'better-sqlite3';

const stores: EventStore[] = [];
let relay: TestRelay | undefined;
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  await relay?.close();
  relay = undefined;
  removeTempDirs();
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('the SQLite engine', () => {
  it('is node:sqlite where the runtime has it, better-sqlite3 otherwise', () => {
    const store = createSqliteEventStore({ dataDir: tempDir() });
    stores.push(store);
    expect(store.engine).toBe(expectedEngine);
  });

  it('is named in /health', async () => {
    relay = await startRelay();
    const { body } = await http(relay.url, '/health');
    expect(body).toMatchObject({ store: 'sqlite', store_engine: expectedEngine });
  });

  it('names errors as SQLite does, so storage_full and data_dir_locked work on both', () => {
    const db = loadSqliteDriver().open(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, b BLOB)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run('a', null);
    expect(codeOf(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('a', null))).toMatch(
      /^SQLITE_CONSTRAINT/,
    );
    db.exec(`PRAGMA max_page_count = ${db.pragmaValue('page_count') as number}`);
    expect(
      codeOf(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('b', Buffer.alloc(64 * 1024))),
    ).toBe('SQLITE_FULL');
    expect(codeOf(() => db.exec('NOT SQL'))).toBe('SQLITE_ERROR');
    db.close();
  });

  it('undoes a failed nested transaction alone and keeps the outer one', () => {
    const db = loadSqliteDriver().open(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      insert.run('outer');
      expect(
        codeOf(() =>
          db.transaction(() => {
            insert.run('inner');
            insert.run('outer');
          }),
        ),
      ).toMatch(/^SQLITE_CONSTRAINT/);
      insert.run('after');
    });
    expect(codeOf(() => db.transaction(() => insert.run('after')))).toMatch(/^SQLITE_CONSTRAINT/);
    const keys = (db.prepare('SELECT k FROM t ORDER BY k').all() as Array<{ k: string }>).map(
      (row) => row.k,
    );
    expect(keys).toEqual(['after', 'outer']);
    db.close();
  });

  it('refuses to create a file that must exist, and opens read-only connections read-only', () => {
    const dir = tempDir();
    const driver = loadSqliteDriver();
    expect(codeOf(() => driver.open(join(dir, 'none.db'), { fileMustExist: true }))).toBe(
      'SQLITE_CANTOPEN',
    );
    const store = createSqliteEventStore({ dataDir: dir });
    store.transaction(() => store.append(newOrderEvent()));
    store.close();
    const reader = driver.open(join(dir, 'relay.db'), { readonly: true });
    expect(reader.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual(
      expect.objectContaining({ n: 1 }),
    );
    expect(codeOf(() => reader.exec('DELETE FROM events'))).toBe('SQLITE_READONLY');
    reader.close();
  });

  it('answers sqlite_unavailable for an engine this Node does not have', () => {
    const missing = expectedEngine === 'node:sqlite' ? 'better-sqlite3' : 'node:sqlite';
    // On Node 24 better-sqlite3's addon (built for the Node that installed it) does not load.
    expect(codeOf(() => createSqliteEventStore({ dataDir: tempDir(), engine: missing }))).toBe(
      'sqlite_unavailable',
    );
  });
});
