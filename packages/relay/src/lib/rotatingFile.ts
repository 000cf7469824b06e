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

export interface RotatingFileOptions {
  path: string;
  /** The file is rotated once it would grow past this. Default 10 MB. */
  maxBytes?: number;
  /** Rotated files kept beside it (`relay.log.1` newest ... `.N` oldest). Default 5. */
  keep?: number;
  /** Lines wait at most this long before they are written. Default 200 ms. */
  flushMs?: number;
}

const BATCH_BYTES = 4096;

/**
 * A log file that never fills an outlet's disk: it is renamed to `.1` (and the older ones
 * shifted up to `.keep`) when it reaches `maxBytes`. Lines are written in batches, like
 * the console's, and whatever is left is written synchronously when the process exits.
 */
export function createRotatingFile(options: RotatingFileOptions): Writable & { flush(): void } {
  const maxBytes = options.maxBytes ?? 10_000_000;
  const keep = Math.max(1, options.keep ?? 5);
  mkdirSync(dirname(options.path), { recursive: true });
  let fd = openSync(options.path, 'a');
  let size = fstatSync(fd).size;
  let pending: string[] = [];
  let pendingBytes = 0;

  const rotate = () => {
    closeSync(fd);
    rmSync(`${options.path}.${keep}`, { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      if (existsSync(`${options.path}.${n}`))
        renameSync(`${options.path}.${n}`, `${options.path}.${n + 1}`);
    }
    renameSync(options.path, `${options.path}.1`);
    fd = openSync(options.path, 'a');
    size = 0;
  };

  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    const bytes = Buffer.byteLength(text);
    if (size > 0 && size + bytes > maxBytes) rotate();
    writeSync(fd, text);
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
        closeSync(fd);
      } catch {
        // Closing a log must never take the relay down with it.
      }
      callback(error);
    },
  });
  return Object.assign(stream, { flush });
}
