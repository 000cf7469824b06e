import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { movedLogFile } from '../src/store/loggedFileId.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import type { SqliteConnection } from '../src/store/sqlite/SqliteDriver.js';
import { removeTempDirs, tempDir } from './helpers.js';

// relay.db records its inode to tell a copy (a new epoch). On file systems that number files
// anew at each mount (an exFAT USB stick on a Raspberry Pi, CIFS `noserverino`), every reboot
// would look like a copy: all screens re-sync and a false `log_went_back` is logged.

const open: SqliteConnection[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  removeTempDirs();
});

const EXT4 = 0xef53n;
const EXFAT = 0x2011bab0n;

/** A log whose record names another inode: what the last mount numbered it. */
function logRecordedAt(fileId: string) {
  const filename = join(tempDir(), 'relay.db');
  const db = loadSqliteDriver().open(filename);
  open.push(db);
  db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  db.prepare(`INSERT INTO meta (key, value) VALUES ('file_id', ?)`).run(fileId);
  return { db, filename };
}

const recorded = (db: SqliteConnection) =>
  (
    db.prepare(`SELECT value FROM meta WHERE key = 'file_id'`).get() as
      | { value: string }
      | undefined
  )?.value;

describe('the moved-file check', () => {
  it('tells a file that is not the one recorded on a disk that keeps inode numbers', () => {
    const { db, filename } = logRecordedAt('1');
    expect(movedLogFile(db, filename, () => ({ type: EXT4 }))).toMatch(/not the file/);
    expect(recorded(db)).not.toBe('1');
  });

  it.each([
    ['exFAT', EXFAT],
    ['vfat', 0x4d44n],
    ['CIFS', 0xff534d42n],
    ['CIFS as 32-bit Linux hands it over (sign-extended)', 0xffffffffff534d42n],
    ['SMB2', 0xfe534d42n],
    ['FUSE (fuseblk: ntfs-3g, exfat-fuse)', 0x65735546n],
  ])('is not made on %s, which numbers files anew at each mount', (_name, type) => {
    const { db, filename } = logRecordedAt('1');
    expect(movedLogFile(db, filename, () => ({ type }))).toBeUndefined();
    expect(recorded(db)).toBe('1');
  });

  it('records nothing there, so a record made elsewhere still tells a copy taken back', () => {
    const { db, filename } = logRecordedAt('1');
    db.exec(`DELETE FROM meta`);
    expect(movedLogFile(db, filename, () => ({ type: EXFAT }))).toBeUndefined();
    expect(recorded(db)).toBeUndefined();
  });

  it('checks as before where the file system cannot be asked', () => {
    const { db, filename } = logRecordedAt('1');
    const statfs = () => {
      throw Object.assign(new Error('ENOSYS'), { code: 'ENOSYS' });
    };
    expect(movedLogFile(db, filename, statfs)).toMatch(/not the file/);
  });
});
