import { statfsSync } from 'node:fs';
import type { SqliteConnection } from './sqlite/SqliteDriver.js';

const DONE_KEY = 'free_space_scrubbed';

type Statfs = (path: string) => { bavail: bigint; bsize: bigint };

/**
 * `secure_delete` zeroes what is deleted from now on; what relays before it pruned is still
 * in relay.db's free space (guests' names and phones, readable in the raw file). One VACUUM
 * rewrites the file without it, once per log: a new log has nothing to scrub. Best effort: on
 * a disk without room for it the relay starts without, and the next start tries again.
 */
export function scrubFreeSpaceOnce(
  db: SqliteConnection,
  newLog: boolean,
  onWarning?: (message: string) => void,
  statfs: Statfs = (path) => statfsSync(path, { bigint: true }),
): void {
  const done = db.prepare('SELECT 1 FROM meta WHERE key = ?').get(DONE_KEY);
  if (done) return;
  if (!newLog && !scrubbed(db, statfs, onWarning)) return;
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
    DONE_KEY,
    new Date().toISOString(),
  );
}

function scrubbed(
  db: SqliteConnection,
  statfs: Statfs,
  onWarning?: (message: string) => void,
): boolean {
  // A WAL an earlier attempt left grown (the relay stopped partway) is room this one needs.
  emptyWal(db);
  const short = shortOfRoom(db, statfs);
  if (short) {
    onWarning?.(
      `did not clear guest data an older relay had deleted from relay.db's free space: ${megabytes(short.free)} free on its disk, it needs about ${megabytes(short.needed)} (twice relay.db); tried again at the next start`,
    );
    return false;
  }
  const started = performance.now();
  try {
    db.exec('VACUUM');
  } catch (error) {
    onWarning?.(
      `could not clear guest data an older relay had deleted from relay.db's free space (${(error as { code?: string }).code ?? error}); tried again at the next start`,
    );
    return false;
  } finally {
    // VACUUM writes the whole file through the WAL, which keeps that size until truncated:
    // for the whole run, or (failed) a disk kept nearly full.
    emptyWal(db);
  }
  onWarning?.(
    `cleared guest data an older relay had deleted from relay.db's free space (once, ${Math.round(performance.now() - started)} ms)`,
  );
  return true;
}

/**
 * What is short when the disk lacks room for VACUUM: the copy it builds (a temp file) and the
 * same pages written through relay.db-wal, each about relay.db's size. undefined when there is
 * room, or the disk cannot be asked (VACUUM then tries, as before this check).
 */
function shortOfRoom(db: SqliteConnection, statfs: Statfs) {
  const main = (db.prepare('PRAGMA database_list').all() as { name: string; file: string }[]).find(
    (database) => database.name === 'main',
  );
  if (!main?.file) return undefined;
  const size =
    BigInt(db.pragmaValue('page_count') as number) * BigInt(db.pragmaValue('page_size') as number);
  let free: bigint;
  try {
    const disk = statfs(main.file);
    free = disk.bavail * disk.bsize;
  } catch {
    return undefined;
  }
  const needed = 2n * size;
  return free < needed ? { free, needed } : undefined;
}

function emptyWal(db: SqliteConnection): void {
  try {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    // Best effort: the checkpoints that run with the relay carry on.
  }
}

const megabytes = (bytes: bigint) => `${(Number(bytes) / 1e6).toFixed(1)} MB`;
