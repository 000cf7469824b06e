import { TlsError } from './TlsError.js';

// What the system answers when a file cannot be created or replaced in a folder.
const WRITE_REFUSALS = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EIO']);

/**
 * `--tls auto` could not write its certificate files: a TlsError naming the TLS dir (which may
 * sit on another disk than the data dir), or undefined when `error` is something else.
 */
export function tlsDirUnwritable(error: unknown, dir: string): TlsError | undefined {
  if (error instanceof TlsError) return undefined;
  const cause = (error as { code?: unknown } | null)?.code;
  if (typeof cause !== 'string' || !WRITE_REFUSALS.has(cause)) return undefined;
  const path = (error as { path?: unknown }).path;
  return new TlsError(
    'tls_dir_unwritable',
    `cannot write the certificate files in the TLS dir ${dir} (${cause}${typeof path === 'string' ? ` on ${path}` : ''}): make it writable by this user (or free space on its disk), or give another --tls-dir`,
    { path: dir, cause },
    error,
  );
}
