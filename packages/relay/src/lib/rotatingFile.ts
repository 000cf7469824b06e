import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  tighteningReport,
  tightenModes,
} from './privateFiles.js';

export interface RotatingFileOptions {
  path: string;
  /** The file is rotated once it would grow past this. Default 10 MB. */
  maxBytes?: number;
  /** Rotated files kept beside it (`relay.log.1` newest ... `.N` oldest). Default 5. */
  keep?: number;
  /** Lines wait at most this long before they are written. Default 200 ms. */
  flushMs?: number;
  /** After a rotation failed, the next one is tried this much later. Default 60 s. */
  retryRotationMs?: number;
  /** Renames a file (tests inject a failure: Windows refuses while another program holds it). */
  rename?: (from: string, to: string) => void;
}

const BATCH_BYTES = 4096;

/** A warning in the logger's own JSON shape, so `status` and log readers see it like any other. */
const rotationWarning = (error: unknown, retryMs: number) =>
  `${JSON.stringify({
    level: 40,
    time: Date.now(),
    pid: process.pid,
    name: 'kitchen-sync-relay',
    code: 'log_rotation_failed',
    err: { code: (error as { code?: string }).code, message: (error as Error).message },
    msg: `cannot rotate the log file (another program holds it?): it keeps growing, rotation is tried again every ${Math.round(retryMs / 1000)} s`,
  })}\n`;

/** A line in the logger's JSON shape, like rotationWarning. */
const madePrivateWarning = (message: string) =>
  `${JSON.stringify({
    level: 40,
    time: Date.now(),
    pid: process.pid,
    name: 'kitchen-sync-relay',
    code: 'log_file_made_private',
    msg: message,
  })}\n`;

/**
 * A log file that never fills an outlet's disk: it is renamed to `.1` (and the older ones
 * shifted up to `.keep`) when it reaches `maxBytes`. Lines are written in batches, like
 * the console's, and whatever is left is written synchronously when the process exits.
 */
export function createRotatingFile(options: RotatingFileOptions): Writable & { flush(): void } {
  const maxBytes = options.maxBytes ?? 10_000_000;
  const keep = Math.max(1, options.keep ?? 5);
  const retryMs = options.retryRotationMs ?? 60_000;
  const rename = options.rename ?? renameSync;
  let fd: number | undefined;
  let size = 0;
  const open = (): number => {
    // Lines name devices, orders and errors: this user's alone, like the data dir.
    const opened = openSync(options.path, 'a', PRIVATE_FILE_MODE);
    fd = opened;
    size = fstatSync(opened).size;
    return opened;
  };
  let tightened: string | undefined;
  try {
    mkdirSync(dirname(options.path), { recursive: true, mode: PRIVATE_DIR_MODE });
    // Files an older release made 0644; the folder may be shared (/var/log), so only the files.
    const files = [
      options.path,
      ...Array.from({ length: keep }, (_, i) => `${options.path}.${i + 1}`),
    ];
    tightened = tighteningReport(
      'the log files',
      tightenModes(files.map((path) => ({ path, label: path }))),
    );
    open();
  } catch (error) {
    // A file where its folder should be (EEXIST, ENOTDIR), a folder by its name (EISDIR), no
    // right to write: said in one line with a code, not as a stack trace.
    const code = (error as { code?: string }).code ?? String(error);
    throw new KitchenSyncError(
      'log_file_unwritable',
      `cannot open the log file ${options.path} (${code}): give --log-file a file path whose folders exist or can be created, and that this user may write to`,
      { path: options.path },
    );
  }
  let pending: string[] = tightened ? [madePrivateWarning(tightened)] : [];
  let pendingBytes = 0;
  /**
   * Set while rotation fails: not tried again before this time (monotonic: a wall clock stepped
   * back would hold the retry, and the growing file, that long), and said only once.
   */
  let rotationFailedUntil: number | undefined;

  // Closed before the renames (Windows renames an open file only if every handle allows it)
  // and opened again whatever happens: a rename that fails (EBUSY, EPERM: an antivirus or a
  // log viewer holds the file) leaves the log growing, never closed for good.
  const rotate = (current: number) => {
    if (rotationFailedUntil !== undefined && performance.now() < rotationFailedUntil) return;
    closeSync(current);
    fd = undefined;
    let failure: unknown;
    try {
      rmSync(`${options.path}.${keep}`, { force: true });
      for (let n = keep - 1; n >= 1; n--) {
        if (existsSync(`${options.path}.${n}`))
          rename(`${options.path}.${n}`, `${options.path}.${n + 1}`);
      }
      rename(options.path, `${options.path}.1`);
    } catch (error) {
      failure = error;
    }
    const reopened = open();
    if (failure === undefined) {
      rotationFailedUntil = undefined;
      return;
    }
    if (rotationFailedUntil === undefined) {
      const warning = rotationWarning(failure, retryMs);
      writeSync(reopened, warning);
      size += Buffer.byteLength(warning);
    }
    rotationFailedUntil = performance.now() + retryMs;
  };

  // Lines leave `pending` only once written: a file that cannot be opened keeps them for the
  // next flush.
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    const bytes = Buffer.byteLength(text);
    if (fd !== undefined && size > 0 && size + bytes > maxBytes) rotate(fd);
    const target = fd ?? open();
    writeSync(target, text);
    pending = [];
    pendingBytes = 0;
    size += bytes;
  };

  const timer = setInterval(flush, options.flushMs ?? 200);
  timer.unref();
  const onExit = () => flush();
  process.on('exit', onExit);

  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      pending.push(line);
      pendingBytes += line.length;
      if (pendingBytes >= BATCH_BYTES) flush();
      callback();
    },
    final(callback) {
      flush();
      callback();
    },
    destroy(error, callback) {
      clearInterval(timer);
      process.off('exit', onExit);
      try {
        flush();
        if (fd !== undefined) closeSync(fd);
      } catch {
        // Closing a log must never take the relay down with it.
      }
      callback(error);
    },
  });
  return Object.assign(stream, { flush });
}
