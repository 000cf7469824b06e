import { KitchenSyncError } from '@kitchen-sync/protocol';
import { type DiskState, diskStateOf, storageProblemOf } from './storageHealth.js';

const kib = (bytes: number | undefined) =>
  bytes === undefined ? 'almost no space' : `${Math.floor(bytes / 1024)} KiB`;

/**
 * A relay that cannot open its log because of its data disk says so in one line with a code
 * and what to do (docs/deployment.md, Troubleshooting), instead of SQLite's "disk I/O error"
 * and a stack trace. Undefined when the disk is not the cause.
 */
export function storageRefusal(
  error: unknown,
  dataDir: string,
  disk: (dir: string) => DiskState = diskStateOf,
): KitchenSyncError | undefined {
  let state: DiskState | undefined;
  const problem = storageProblemOf(error, () => {
    state ??= disk(dataDir);
    return state;
  });
  const cause = (error as { code?: unknown } | null)?.code;
  const details = { dataDir, cause };
  switch (problem) {
    case 'storage_full':
      state ??= disk(dataDir);
      return new KitchenSyncError(
        'storage_full',
        `the disk of the data dir ${dataDir} is full (${kib(state.freeBytes)} free): the relay cannot open its log. Free space on that disk (old downloads, the Recycle Bin, rotated relay.log.N files), then start the relay again; the orders in the log are kept`,
        details,
      );
    case 'storage_readonly':
      return new KitchenSyncError(
        'storage_readonly',
        `the data dir ${dataDir} is read-only (its disk was switched to read-only after an error, or this user may not write there): the relay cannot open its log. Check the disk (dmesg or Event Viewer; fsck or chkdsk), make it writable, then start the relay again`,
        details,
      );
    case 'storage_failed':
      return new KitchenSyncError(
        'storage_failed',
        `the disk of the data dir ${dataDir} answers with an I/O error (${String(cause)}): it may be failing. Copy the data dir elsewhere first, check the disk (SMART, fsck or chkdsk), then start the relay again, or on another disk with that copy`,
        details,
      );
    default:
      return undefined;
  }
}
