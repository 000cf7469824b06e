import { KitchenSyncError } from '@kitchen-sync/protocol';
import type { SqliteConnection, SqliteDriver } from './sqlite/SqliteDriver.js';
import { storageRefusal } from './storageRefusal.js';

export interface DataDirLock {
  release(): void;
  /** How far each outlet's log had got under `epoch`, as last recorded here. */
  highWater(epoch: string): Map<string, number>;
  /** Records the heads the log has reached (cheap: no fsync; see below). */
  recordHighWater(epoch: string, heads: Iterable<readonly [string, number]>): void;
}

/**
 * Holds `<db>.lock` for as long as this relay runs, so a second relay on the same data dir
 * refuses to start (two writers on one log hand out the same seqs and each one's kitchens
 * miss the other's events).
 *
 * The lock is SQLite's own file lock on a tiny side database (fcntl on Unix, LockFileEx on
 * Windows), taken in exclusive locking mode and kept until the connection closes. The OS
 * drops it when the process dies, however it dies: a SIGKILL or a power cut leaves nothing
 * stale to clean up, unlike a pid file (whose pid may belong to another process after a
 * reboot). It is a separate file because exclusive locking on `relay.db` itself would shut
 * out the checkpoint worker's connection.
 */
export function lockDataDir(driver: SqliteDriver, lockFile: string, dataDir: string): DataDirLock {
  let db: SqliteConnection | undefined;
  try {
    db = driver.open(lockFile);
    // No waiting: a held lock means another relay, which will not let go.
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; exclusive locking mode keeps it after COMMIT.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(
      process.pid,
      new Date().toISOString(),
    );
    db.exec('COMMIT');
    // The heads the log reached live here, beside relay.db but not in it: a relay.db restored
    // from a backup comes back behind them, and the relay then starts a new epoch instead of
    // handing out seqs its clients have already seen (sqliteEventStore.ts). No fsync: the
    // mark only has to outlive the process, not a power cut.
    db.exec('PRAGMA synchronous = OFF');
    db.exec(
      'CREATE TABLE IF NOT EXISTS high_water (epoch TEXT NOT NULL, outlet_key TEXT NOT NULL, head INTEGER NOT NULL, PRIMARY KEY (epoch, outlet_key))',
    );
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new KitchenSyncError(
        'data_dir_locked',
        `another relay is already using the data dir ${dataDir}; stop it or choose another --data-dir`,
        { lockFile },
      );
    }
    // The lock is the first thing written: a full or read-only disk is met here first.
    throw storageRefusal(error, dataDir) ?? error;
  }
  const held = db;
  const read = held.prepare('SELECT outlet_key, head FROM high_water WHERE epoch = ?');
  const write = held.prepare(
    `INSERT INTO high_water (epoch, outlet_key, head) VALUES (?, ?, ?)
     ON CONFLICT (epoch, outlet_key) DO UPDATE SET head = MAX(head, excluded.head)`,
  );
  return {
    release() {
      if (held.isOpen) held.close();
    },
    highWater(epoch) {
      const rows = read.all(epoch) as Array<{ outlet_key: string; head: number }>;
      return new Map(rows.map((row) => [row.outlet_key, row.head]));
    },
    recordHighWater(epoch, heads) {
      if (!held.isOpen) return;
      held.transaction(() => {
        for (const [outlet, head] of heads) write.run(epoch, outlet, head);
      });
    },
  };
}

/**
 * True when a running relay holds the data dir's lock now. Reading the lock database needs a
 * shared lock, which the holder's exclusive one refuses at once; a reader holds it for
 * microseconds, so a relay starting meanwhile is not kept out. Never creates the file.
 */
export function dataDirInUse(driver: SqliteDriver, lockFile: string): boolean {
  let db: SqliteConnection | undefined;
  try {
    db = driver.open(lockFile, { readonly: true, fileMustExist: true });
    db.exec('PRAGMA busy_timeout = 0');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
  } finally {
    db?.close();
  }
}
