import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scrubFreeSpaceOnce } from '../src/store/scrubFreeSpace.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import type { SqliteConnection } from '../src/store/sqlite/SqliteDriver.js';
import { removeTempDirs, tempDir } from './helpers.js';

// The one-time VACUUM of a relay.db from an older release writes the whole file through the
// WAL. On a small disk (a Raspberry Pi's SD card) it must not run without room, and must not
// leave relay.db-wal the size of the database, whether it worked or not.

const open: SqliteConnection[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  removeTempDirs();
});

/** An older release's log: WAL, pages freed by its prunes, not scrubbed yet. */
function olderLog() {
  const filename = join(tempDir(), 'relay.db');
  const db = loadSqliteDriver().open(filename);
  open.push(db);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  db.exec('CREATE TABLE pruned (body BLOB)');
  addRows(db, 2000);
  db.exec('DELETE FROM pruned WHERE rowid > 1000');
  return { db, filename };
}

function addRows(db: SqliteConnection, count: number) {
  db.exec(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
     INSERT INTO pruned SELECT randomblob(1000) FROM n`,
  );
}

const walSize = (filename: string) => statSync(`${filename}-wal`).size;
const scrubbed = (db: SqliteConnection) =>
  db.prepare(`SELECT 1 FROM meta WHERE key = 'free_space_scrubbed'`).get() !== undefined;
const freePages = (db: SqliteConnection) => Number(db.pragmaValue('freelist_count'));
const diskWith = (bytes: number) => () => ({ bavail: BigInt(bytes / 4096), bsize: 4096n });
const fileSize = (db: SqliteConnection) =>
  Number(db.pragmaValue('page_count')) * Number(db.pragmaValue('page_size'));

describe('clearing an older release’s free space', () => {
  it('does not start without room for twice relay.db, says so, and tries at the next start', () => {
    const { db } = olderLog();
    const warnings: string[] = [];
    const before = freePages(db);
    expect(before).toBeGreaterThan(0);
    scrubFreeSpaceOnce(db, false, (w) => warnings.push(w), diskWith(1.5 * fileSize(db)));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^did not clear guest data .* MB free on its disk, it needs about .* MB \(twice relay\.db\); tried again at the next start$/,
      ),
    ]);
    expect(freePages(db)).toBe(before);
    expect(scrubbed(db)).toBe(false);

    scrubFreeSpaceOnce(db, false, (w) => warnings.push(w), diskWith(3 * fileSize(db)));
    expect(warnings[1]).toMatch(/^cleared guest data/);
    expect(freePages(db)).toBe(0);
    expect(scrubbed(db)).toBe(true);
  });

  it('leaves relay.db-wal empty after it (but for the line saying it is done)', () => {
    const { db, filename } = olderLog();
    scrubFreeSpaceOnce(db, false, undefined, diskWith(1e9));
    expect(scrubbed(db)).toBe(true);
    expect(walSize(filename)).toBeLessThan(fileSize(db) / 10);
  });

  it('leaves relay.db-wal empty when it fails partway (the disk filled up)', () => {
    const { db, filename } = olderLog();
    const fillsTheDisk = new Proxy(db, {
      get(target, key) {
        if (key === 'exec') {
          return (sql: string) => {
            if (sql !== 'VACUUM') return target.exec(sql);
            addRows(target, 1000);
            throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const warnings: string[] = [];
    scrubFreeSpaceOnce(fillsTheDisk, false, (w) => warnings.push(w), diskWith(1e9));
    expect(warnings).toEqual([
      expect.stringMatching(/^could not clear .*\(SQLITE_FULL\); tried again/),
    ]);
    expect(scrubbed(db)).toBe(false);
    expect(walSize(filename)).toBe(0);
  });

  it('empties a WAL an earlier attempt left grown, even when there is no room to try again', () => {
    const { db, filename } = olderLog();
    expect(walSize(filename)).toBeGreaterThan(0);
    scrubFreeSpaceOnce(db, false, undefined, diskWith(0));
    expect(walSize(filename)).toBe(0);
  });

  it('has nothing to clear in a new log', () => {
    const { db } = olderLog();
    const statfs = () => {
      throw new Error('not asked');
    };
    scrubFreeSpaceOnce(db, true, undefined, statfs);
    expect(scrubbed(db)).toBe(true);
    expect(freePages(db)).toBeGreaterThan(0);
  });
});
