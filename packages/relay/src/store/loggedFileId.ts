import { statfsSync, statSync } from 'node:fs';
import type { SqliteConnection } from './sqlite/SqliteDriver.js';

/**
 * `relay.db` records which file it is (its inode / NTFS file index), so a copy is told from
 * the original: a backup restored on a replacement PC, a data dir copied with `cp -r`. Such
 * a log may end before seqs its clients have seen, and nothing beside it says so: a copied
 * `relay.db.lock` carries the mark of the copy's moment, and a replacement PC has none. A
 * moved log therefore starts a new epoch (sqliteEventStore.ts); a file written in place keeps
 * its number across restarts, upgrades and reboots, except on the file systems below.
 *
 * Returns the warning when the file is not the one the log recorded, and records the file it
 * is now. A log without a record yet (new, or written by an older relay) only gets one.
 */
export function movedLogFile(
  db: SqliteConnection,
  filename: string,
  statfs: (path: string) => { type: bigint } = (path) => statfsSync(path, { bigint: true }),
): string | undefined {
  // A record made elsewhere stays: it still tells a copy taken back to a disk that keeps them.
  if (!keepsInodes(filename, statfs)) return undefined;
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

/**
 * Linux file systems (statfs magic numbers) whose inode numbers are made up at each mount, so
 * every reboot would look like a moved file: FAT and exFAT (a USB stick on a Raspberry Pi),
 * CIFS/SMB (`noserverino` cannot be told from here), and FUSE, which includes `fuseblk`
 * (ntfs-3g, exfat-fuse) and keeps numbers only when the file system asks it to. The kernel's
 * ntfs3 uses the MFT record and keeps them. Other systems' type numbers (small indexes on macOS
 * and BSD, 0 on Windows) match none.
 */
const INODES_MADE_AT_MOUNT = new Set([
  0x4d44, // vfat, msdos
  0x2011bab0, // exfat
  0xff534d42, // cifs
  0xfe534d42, // smb2
  0x517b, // smb
  0x65735546, // fuse, fuseblk
]);

function keepsInodes(filename: string, statfs: (path: string) => { type: bigint }): boolean {
  try {
    // 32 bits: 32-bit Linux (Raspberry Pi OS) hands CIFS's 0xff534d42 over sign-extended.
    return !INODES_MADE_AT_MOUNT.has(Number(BigInt.asUintN(32, statfs(filename).type)));
  } catch {
    return true; // as before this check: the file's own stat decides
  }
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
