import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NEARLY_FULL_BYTES } from './storageHealth.js';
import { storageRefusal } from './storageRefusal.js';

const PROBE_FILE = '.kitchen-sync-start-probe';

/**
 * Refuses a start on a data disk without room for the log's next writes (storage_full and the
 * space left). A log that already holds grown WAL pages opens fine on a full disk and would
 * refuse every order; this writes a block as large as what we call "nearly full" (storageHealth.ts)
 * and removes it. A read-only or failing disk is refused here too, with its own code.
 */
export function ensureRoomToWrite(dataDir: string, bytes = NEARLY_FULL_BYTES): void {
  const probe = join(dataDir, PROBE_FILE);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'w');
    writeSync(fd, Buffer.alloc(bytes));
  } catch (error) {
    throw storageRefusal(error, dataDir) ?? error;
  } finally {
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(probe, { force: true });
    } catch {
      // A disk that refused the block may refuse the clean-up too; the next start reuses it.
    }
  }
}
