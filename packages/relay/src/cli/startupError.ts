import { KitchenSyncError } from '@kitchen-sync/protocol';
import { storageRefusal } from '../store/storageRefusal.js';

interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

const where = (error: SystemError) =>
  error.address === undefined ? `port ${error.port}` : `port ${error.port} on ${error.address}`;

/**
 * The operating system's refusals a relay meets at start, said in one line with a stable
 * code (like data_dir_locked) instead of a stack trace with the build machine's paths.
 * With `dataDir` (a SQLite log) also its disk's: full, read-only or failing (storageRefusal).
 * Undefined for anything else.
 */
export function startupProblem(caught: unknown, dataDir?: string): KitchenSyncError | undefined {
  const error = (caught ?? {}) as SystemError;
  const disk = dataDir === undefined ? undefined : storageRefusal(caught, dataDir);
  if (disk) return disk;
  switch (error.code) {
    case 'EADDRINUSE':
      return new KitchenSyncError(
        'port_in_use',
        `${where(error)} is already in use (another relay?); stop it or choose another with --port`,
        { address: error.address, port: error.port },
      );
    case 'EADDRNOTAVAIL':
      return new KitchenSyncError(
        'host_unavailable',
        `--host ${error.address} is not an address of this computer; give one of its addresses, or leave --host out to listen on all of them`,
        { address: error.address, port: error.port },
      );
    case 'ENOENT':
    case 'ENOTDIR':
      // mkdir -p fails like this only when the drive (or what should be a folder) is not there.
      if (error.syscall !== 'mkdir' || error.path === undefined) return undefined;
      return new KitchenSyncError(
        'dir_unavailable',
        `cannot create the folder ${error.path} (${error.code}): its drive or a folder above it is missing or not a folder (an unplugged USB stick, a disconnected network drive?); connect it, or give --data-dir on a drive that is there`,
        { path: error.path },
      );
    default:
      return undefined;
  }
}
