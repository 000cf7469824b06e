import { statSync } from 'node:fs';
import type { SqliteConnection } from './sqlite/SqliteDriver.js';

/**
 * `relay.db` records which file it is (its inode / NTFS file index), so a copy is told from
 * the original: a backup restored on a replacement PC, a data dir copied with `cp -r`. Such
 * a log may end before seqs its clients have seen, and nothing beside it says so: a copied
 * `relay.db.lock` carries the mark of the copy's moment, and a replacement PC has none. A
 * moved log therefore starts a new epoch (sqliteEventStore.ts); a file written in place keeps
 * its number across restarts, upgrades and reboots.
 *
 * Returns the warning when the file is not the one the log recorded, and records the file it
 * is now. A log without a record yet (new, or written by an older relay) only gets one.
 */
export function movedLogFile(db: SqliteConnection, filename: string): string | undefined {
  const id = fileId(filename);
  if (id === undefined) return undefined;
  const recorded = db.prepare(`SELECT value FROM meta WHERE key = 'file_id'`).get() as
    | { value: string }
    | undefined;
  if (recorded?.value === id) return undefined;
  db.prepare(
    `INSERT INTO meta (key, value) VALUES ('file_id', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(id);
  if (!recorded) return undefined;
  return 'relay.db is not the file its log was written in (a backup restored, a data dir copied or moved?): clients may have seen seqs past its end. The log starts a new epoch: every client re-syncs from a snapshot; orders acknowledged after the copy was taken are not in it';
}

/** undefined where the file system gives no stable number (0). */
function fileId(filename: string): string | undefined {
  try {
    const { ino } = statSync(filename, { bigint: true });
    return ino > 0n ? ino.toString() : undefined;
  } catch {
    return undefined;
  }
}
