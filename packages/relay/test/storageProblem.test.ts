import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { reportUncaught } from '../src/cli/uncaught.js';
import { lockDataDir } from '../src/store/dataDirLock.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import type { SqliteDriver } from '../src/store/sqlite/SqliteDriver.js';
import {
  cachedDiskState,
  createStorageHealth,
  type DiskState,
  diskStateOf,
  failedWriteAnswer,
  storageProblemOf,
} from '../src/store/storageHealth.js';
import { storageRefusal } from '../src/store/storageRefusal.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const disk =
  (state: Partial<DiskState> = {}) =>
  (): DiskState => ({ readonly: false, freeBytes: 10_000_000_000, ...state });

describe("the data disk's part in a failed write", () => {
  it.each([
    ['SQLITE_FULL', 'storage_full'],
    ['ENOSPC', 'storage_full'],
    ['EDQUOT', 'storage_full'],
    ['SQLITE_READONLY', 'storage_readonly'],
    ['SQLITE_READONLY_DBMOVED', 'storage_readonly'],
    ['EROFS', 'storage_readonly'],
    ['SQLITE_IOERR', 'storage_failed'],
    ['SQLITE_IOERR_WRITE', 'storage_failed'],
    ['EIO', 'storage_failed'],
  ])('%s is %s on a disk with room that takes writes', (code, problem) => {
    expect(storageProblemOf(coded(code), disk())).toBe(problem);
  });

  it('tells an I/O error apart by asking the disk: read-only, nearly full, or failing', () => {
    // What SQLite says on an ext4 remounted read-only after an error, and on a full tmpfs.
    expect(storageProblemOf(coded('SQLITE_IOERR_WRITE'), disk({ readonly: true }))).toBe(
      'storage_readonly',
    );
    expect(storageProblemOf(coded('SQLITE_IOERR_SHMSIZE'), disk({ freeBytes: 16_384 }))).toBe(
      'storage_full',
    );
    expect(storageProblemOf(coded('SQLITE_CANTOPEN'), disk({ readonly: true }))).toBe(
      'storage_readonly',
    );
    expect(storageProblemOf(coded('SQLITE_CANTOPEN'), disk())).toBeUndefined();
  });

  it('is none for what is not the disk', () => {
    for (const error of [coded('SQLITE_CONSTRAINT'), new Error('bug'), null, 'x']) {
      expect(storageProblemOf(error, disk({ readonly: true }))).toBeUndefined();
    }
  });

  it('answers devices storage_full, or internal (which every client retries) with the cause said', () => {
    expect(failedWriteAnswer('storage_full').code).toBe('storage_full');
    expect(failedWriteAnswer('storage_readonly')).toEqual({
      code: 'internal',
      message: "the relay's data disk is read-only; this request was not stored",
    });
    expect(failedWriteAnswer('storage_failed').message).toContain('I/O error');
    expect(failedWriteAnswer(undefined).code).toBe('internal');
  });

  it('is what /health says until a write commits', () => {
    let problem: 'storage_readonly' | 'storage_failed' = 'storage_readonly';
    const health = createStorageHealth(
      () => 0,
      () => problem,
    );
    health.failed(coded('SQLITE_IOERR_WRITE'));
    expect(health.status()).toMatchObject({ ok: false, error: 'storage_readonly' });
    problem = 'storage_failed';
    health.failed(coded('SQLITE_IOERR_WRITE'));
    expect(health.status()).toMatchObject({ ok: false, error: 'storage_failed' });
    health.committed();
    expect(health.status()).toEqual({ ok: true });
  });
});

describe('asking the data disk', () => {
  it('writes one byte to learn it takes writes, and leaves nothing behind', () => {
    const dir = tempDir();
    const state = diskStateOf(dir);
    expect(state.readonly).toBe(false);
    expect(state.freeBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('asks at most once a second however many writes fail', () => {
    const dir = tempDir();
    let now = 0;
    const disk = cachedDiskState(dir, () => now);
    const first = disk();
    expect(disk()).toBe(first);
    now = 1_000;
    expect(disk()).not.toBe(first);
  });
});

describe('a relay that cannot open its log for its disk', () => {
  it('says why with a code and what to do, not SQLite\'s "disk I/O error"', () => {
    const full = storageRefusal(coded('SQLITE_IOERR_SHMSIZE', 'disk I/O error'), '/d', () => ({
      readonly: false,
      freeBytes: 16_384,
    }));
    expect(full?.code).toBe('storage_full');
    expect(full?.message).toContain('16 KiB free');
    expect(full?.message).toContain('Free space on that disk');
    const readonly = storageRefusal(coded('SQLITE_CANTOPEN'), '/d', () => ({
      readonly: true,
      freeBytes: 1e9,
    }));
    expect(readonly?.code).toBe('storage_readonly');
    expect(storageRefusal(coded('SQLITE_IOERR_READ'), '/d', disk())?.code).toBe('storage_failed');
    expect(storageRefusal(coded('SQLITE_CORRUPT'), '/d', disk())).toBeUndefined();
  });

  it('is refused at the lock, the first thing written, with storage_full', () => {
    const real = loadSqliteDriver();
    // The lock database's writes fail as on a full disk.
    const driver: SqliteDriver = {
      ...real,
      open(filename, options) {
        const db = real.open(filename, options);
        return {
          ...db,
          exec(sql: string) {
            if (sql.startsWith('CREATE')) throw coded('SQLITE_FULL', 'database or disk is full');
            db.exec(sql);
          },
          close: () => db.close(),
        } as typeof db;
      },
    };
    const dir = tempDir();
    let caught: unknown;
    try {
      lockDataDir(driver, `${dir}/relay.db.lock`, dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'KitchenSyncError', code: 'storage_full' });
  });
});

describe('the last line of defence', () => {
  it('never throws, even when the logger does (a throw there ends Node with exit 7)', () => {
    const stderr: string[] = [];
    const failing = {
      fatal() {
        throw coded('ENOSPC', 'ENOSPC: no space left on device, write');
      },
    };
    expect(() =>
      reportUncaught(failing, 'uncaught exception', new Error('boom'), {
        write: (line: string) => stderr.push(line) > 0,
      }),
    ).not.toThrow();
    expect(stderr.join('')).toContain('uncaught exception: Error: boom');
    expect(stderr.join('')).toContain('ENOSPC');
    const brokenStderr = {
      write(): boolean {
        throw new Error('EPIPE');
      },
    };
    expect(() => reportUncaught(failing, 'unhandled rejection', 'x', brokenStderr)).not.toThrow();
  });
});
