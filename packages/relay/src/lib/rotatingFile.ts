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
import { KitchenSyncError, type LogHealth } from '@kitchen-sync/protocol';
import { errorCode } from './errorCode.js';
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
  /** Writes bytes, returning how many were written (tests inject a full or read-only disk). */
  write?: (fd: number, buffer: Buffer, offset: number) => number;
  /** Lines kept while the file cannot be written; newer ones are dropped. Default 1 MB. */
  maxPendingBytes?: number;
  /** After a write failed, the next one is tried this much later. Default 1 s. */
  retryWriteMs?: number;
  /** The file cannot be written: said once, until it can again (the console, not this file). */
  onWriteFailed?: (failure: LogFileFailure) => void;
  /** The file is written again after `failure`. */
  onWriteResumed?: (failure: LogFileFailure) => void;
}

/** `/health`'s `log`: whether the log file takes the relay's lines. */
export type LogFileHealth = LogHealth;
/** `dropped`: lines dropped since, over `maxPendingBytes`. */
export type LogFileFailure = Extract<LogHealth, { ok: false }>;

const BATCH_BYTES = 4096;

/** Why a disk refuses a file for now: full, over quota, read-only, failing. */
const DISK_STATES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

const codeOf = (error: unknown) => errorCode(error) ?? String(error);

/** In the file once it can be written again: where lines are missing or late, and why. */
const gapNote = (failure: LogFileFailure) =>
  `${JSON.stringify({
    level: 40,
    time: Date.now(),
    pid: process.pid,
    name: 'kitchen-sync-relay',
    code: 'log_write_failed',
    cause: failure.cause,
    since: failure.since,
    dropped: failure.dropped,
    msg: `this file could not be written from ${failure.since} until now (${failure.cause}): lines from then are written late, and ${failure.dropped} were dropped`,
  })}\n`;

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
 * A disk that is full or read-only never stops the relay: writing is tried again every
 * `retryWriteMs`, lines wait (up to `maxPendingBytes`, later ones are dropped and counted).
 */
export function createRotatingFile(
  options: RotatingFileOptions,
): Writable & { flush(): void; health(): LogFileHealth } {
  const maxBytes = options.maxBytes ?? 10_000_000;
  const keep = Math.max(1, options.keep ?? 5);
  const retryMs = options.retryRotationMs ?? 60_000;
  const rename = options.rename ?? renameSync;
  const writeBytes = options.write ?? ((fd, buffer, offset) => writeSync(fd, buffer, offset));
  const maxPendingBytes = options.maxPendingBytes ?? 1_000_000;
  const retryWriteMs = options.retryWriteMs ?? 1_000;
  let fd: number | undefined;
  let size = 0;
  const open = (): number => {
    mkdirSync(dirname(options.path), { recursive: true, mode: PRIVATE_DIR_MODE });
    // Lines name devices, orders and errors: this user's alone, like the data dir.
    const opened = openSync(options.path, 'a', PRIVATE_FILE_MODE);
    fd = opened;
    size = fstatSync(opened).size;
    return opened;
  };
  // Files an older release made 0644; the folder may be shared (/var/log), so only the files.
  const files = [
    options.path,
    ...Array.from({ length: keep }, (_, i) => `${options.path}.${i + 1}`),
  ];
  const tightened = tighteningReport(
    'the log files',
    tightenModes(files.map((path) => ({ path, label: path }))),
  );
  let openFailure: unknown;
  try {
    open();
  } catch (error) {
    // A full or read-only disk is a state that passes: the relay starts, the file is opened
    // when the disk takes it. A file where its folder should be (EEXIST, ENOTDIR), a folder by
    // its name (EISDIR), no right to write: a setting to fix, said in one line with a code.
    const code = (error as { code?: string }).code ?? String(error);
    if (DISK_STATES.has(code)) openFailure = error;
    else
      throw new KitchenSyncError(
        'log_file_unwritable',
        `cannot open the log file ${options.path} (${code}): give --log-file a file path whose folders exist or can be created, and that this user may write to`,
        { path: options.path },
      );
  }
  let pending: string[] = tightened ? [madePrivateWarning(tightened)] : [];
  let pendingBytes = 0;
  /** What a failed or short write left unwritten: written first, before `pending`. */
  let unwritten: Buffer | undefined;
  /** The last write stopped inside a line: its end goes first, into the same file. */
  let tornLine = false;
  /** Set while the file cannot be written (monotonic: not tried again before `retryAt`). */
  let failure: LogFileFailure | undefined;
  let retryAt = 0;
  /**
   * Set while rotation fails: not tried again before this time (monotonic: a wall clock stepped
   * back would hold the retry, and the growing file, that long), and said only once.
   */
  let rotationFailedUntil: number | undefined;

  /** Writes `buffer` until done or an error: how far it got, and the error. */
  const writeOut = (target: number, buffer: Buffer): { written: number; error?: unknown } => {
    let written = 0;
    try {
      while (written < buffer.length) written += writeBytes(target, buffer, written);
      return { written };
    } catch (error) {
      return { written, error };
    } finally {
      size += written;
    }
  };

  // Closed before the renames (Windows renames an open file only if every handle allows it)
  // and opened again whatever happens: a rename that fails (EBUSY, EPERM: an antivirus or a
  // log viewer holds the file) leaves the log growing, never closed for good.
  const rotate = (current: number) => {
    if (rotationFailedUntil !== undefined && performance.now() < rotationFailedUntil) return;
    fd = undefined;
    try {
      closeSync(current);
    } catch {
      // A close that fails (EIO) leaves nothing to close again: the file is opened anew.
    }
    let renameFailure: unknown;
    try {
      rmSync(`${options.path}.${keep}`, { force: true });
      for (let n = keep - 1; n >= 1; n--) {
        if (existsSync(`${options.path}.${n}`))
          rename(`${options.path}.${n}`, `${options.path}.${n + 1}`);
      }
      rename(options.path, `${options.path}.1`);
    } catch (error) {
      renameFailure = error;
    }
    const reopened = open();
    if (renameFailure === undefined) {
      rotationFailedUntil = undefined;
      return;
    }
    const firstFailure = rotationFailedUntil === undefined;
    rotationFailedUntil = performance.now() + retryMs;
    // Best effort: a disk that refuses it refuses the lines after it too, and says so then.
    if (firstFailure) writeOut(reopened, Buffer.from(rotationWarning(renameFailure, retryMs)));
  };

  // Lines leave `pending` once handed to the write: what a full or read-only disk leaves
  // unwritten waits for the next try, which comes `retryWriteMs` later (`force`: at exit, now).
  const flush = (force = false) => {
    if (pending.length === 0 && unwritten === undefined) return;
    if (failure && !force && performance.now() < retryAt) return;
    const fresh = Buffer.from(pending.join(''));
    const data = unwritten ? Buffer.concat([unwritten, fresh]) : fresh;
    pending = [];
    pendingBytes = 0;
    // Where lines are late or missing is said in the file, before them (after the end of a
    // line cut short, if any: lines stay whole).
    const cut = tornLine ? data.indexOf(0x0a) + 1 : 0;
    const noted = failure && (!tornLine || cut > 0) ? failure : undefined;
    const out = noted
      ? Buffer.concat([data.subarray(0, cut), Buffer.from(gapNote(noted)), data.subarray(cut)])
      : data;
    let outcome: { written: number; error?: unknown };
    try {
      if (!tornLine && fd !== undefined && size > 0 && size + out.length > maxBytes) rotate(fd);
      outcome = writeOut(fd ?? open(), out);
    } catch (error) {
      // Rotation or opening failed (a read-only disk refuses to open for writing).
      outcome = { written: 0, error };
    }
    if (outcome.error !== undefined) {
      const { written } = outcome;
      // Nothing written leaves the file as it was (a line cut short stays so).
      if (written > 0) tornLine = out[written - 1] !== 0x0a;
      // A note not begun is written afresh next time, with the count then.
      unwritten = noted && written <= cut ? data.subarray(written) : out.subarray(written);
      writeFailed(outcome.error);
      return;
    }
    unwritten = undefined;
    tornLine = false;
    if (failure) {
      const resumed = failure;
      failure = undefined;
      try {
        options.onWriteResumed?.(resumed);
      } catch {
        // As for onWriteFailed.
      }
    }
  };

  const writeFailed = (error: unknown, tell = (said: () => void) => said()) => {
    retryAt = performance.now() + retryWriteMs;
    if (failure) return;
    const failed: LogFileFailure = {
      ok: false,
      error: 'log_write_failed',
      cause: codeOf(error),
      since: new Date().toISOString(),
      dropped: 0,
    };
    failure = failed;
    tell(() => {
      try {
        options.onWriteFailed?.(failed);
      } catch {
        // The relay runs on without its log file; a failing listener changes nothing.
      }
    });
  };

  // Said once the caller has what it says it with (the logger's console, made after the file).
  if (openFailure !== undefined) writeFailed(openFailure, queueMicrotask);

  const timer = setInterval(() => flush(), options.flushMs ?? 200);
  timer.unref();
  const onExit = () => flush(true);
  process.on('exit', onExit);

  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const waiting = pendingBytes + (unwritten?.length ?? 0);
      if (failure && waiting + line.length > maxPendingBytes) failure.dropped++;
      else {
        pending.push(line);
        pendingBytes += line.length;
        if (pendingBytes >= BATCH_BYTES) flush();
      }
      callback();
    },
    final(callback) {
      flush(true);
      callback();
    },
    destroy(error, callback) {
      clearInterval(timer);
      process.off('exit', onExit);
      try {
        flush(true);
        if (fd !== undefined) closeSync(fd);
      } catch {
        // Closing a log must never take the relay down with it.
      }
      callback(error);
    },
  });
  return Object.assign(stream, {
    flush: () => flush(),
    health: (): LogFileHealth => (failure ? { ...failure } : { ok: true }),
  });
}
