import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import type { SqliteConnection, SqliteDriver } from './sqlite/SqliteDriver.js';

/** What the relay found before opening its log; `fresh` = a new log and epoch will start. */
export type DatabaseFileState = { kind: 'fresh'; warning?: string } | { kind: 'existing' };

const MAGIC = 'SQLite format 3\0';

const corrupt = (filename: string, why: string) =>
  new KitchenSyncError(
    'store_corrupt',
    `${filename} is damaged (${why}); the relay left it untouched. See "Recovering a damaged log" in docs/relay.md`,
    { filename },
  );

function readHeader(filename: string): string {
  const fd = openSync(filename, 'r');
  try {
    const buffer = Buffer.alloc(MAGIC.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks the log before the relay opens it for writing. A damaged file used to half-work
 * (ready line, then 500s and dropped clients); now the relay refuses to start instead.
 * The check opens the file read-only: a read-write connection would replay the WAL into
 * the damaged file when it closes, and the operator needs the files as they were.
 * `quick_check` reads every page (well under a second for a retained log of 10,000 events per
 * outlet); `quick_check(1)` stops at the first problem it finds.
 */
export function checkDatabaseFile(driver: SqliteDriver, filename: string): DatabaseFileState {
  const wal = `${filename}-wal`;
  const walHasData = existsSync(wal) && statSync(wal).size > 0;
  if (!existsSync(filename)) {
    if (walHasData) {
      // SQLite would rebuild a partial database from the leftover WAL alone.
      throw corrupt(filename, `the file is missing but ${wal} is there`);
    }
    return { kind: 'fresh' };
  }
  const size = statSync(filename).size;
  if (size === 0) {
    if (walHasData) throw corrupt(filename, `the file is empty but ${wal} is there`);
    return {
      kind: 'fresh',
      warning: `${filename} is EMPTY (0 bytes): starting a NEW log with a new epoch. Every client gets a snapshot of open orders; events logged before are gone. If this is unexpected, stop the relay and restore a backup.`,
    };
  }
  if (readHeader(filename) !== MAGIC) throw corrupt(filename, 'not an SQLite database header');
  let db: SqliteConnection | undefined;
  try {
    db = driver.open(filename, { readonly: true, fileMustExist: true });
    const verdict = db.pragmaValue('quick_check(1)') ?? 'no answer';
    if (verdict !== 'ok') throw corrupt(filename, `quick_check: ${verdict}`);
  } catch (error) {
    if (error instanceof KitchenSyncError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
      throw corrupt(filename, (error as Error).message);
    }
    throw error;
  } finally {
    db?.close();
  }
  return { kind: 'existing' };
}
