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
    const block = Buffer.alloc(bytes);
    // A nearly full disk takes part of the block without an error (a short write): only the
    // whole block written counts, and the first write that takes nothing is the refusal.
    for (let written = 0; written < bytes; ) {
      const took = writeSync(fd, block, written, bytes - written);
      if (took === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      written += took;
    }
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
