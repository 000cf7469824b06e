import { write, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

export interface ConsoleStreamOptions {
  /** Lines leave in batches of about this many bytes... */
  batchBytes: number;
  /** ...or after at most this long when traffic is light. */
  flushMs: number;
  /** Lines kept while the reader is not reading (a full pipe); older ones are dropped. */
  maxPendingBytes: number;
  /** When the final, synchronous flush at exit stops retrying a full pipe (epoch ms). */
  exitDeadline: () => number;
}

/** One 'exit' listener for every console stream (a test process makes many). */
const atExit = new Set<() => void>();
process.on('exit', () => {
  for (const flush of atExit) flush();
});

/**
 * Log lines to a file descriptor (the relay's stderr) that a reader going away can never
 * stop the relay with. Writes are asynchronous; a full pipe keeps lines in memory (bounded)
 * and retries with the next batch; a pipe that is gone (EPIPE, EBADF...) ends console output
 * for good instead of being retried. At exit, what is left is written synchronously until
 * `exitDeadline`, then dropped: pino's own exit flush retried a closed pipe forever.
 */
export function createConsoleStream(fd: number, options: ConsoleStreamOptions): Writable {
  let pending: string[] = [];
  let pendingBytes = 0;
  /** The unwritten tail of the last batch (a full pipe took part of it). */
  let unwritten: Buffer | undefined;
  let writing = false;
  let gone = false;

  const take = (): Buffer => {
    const parts = unwritten ? [unwritten] : [];
    if (pending.length > 0) parts.push(Buffer.from(pending.join('')));
    pending = [];
    pendingBytes = 0;
    unwritten = undefined;
    return Buffer.concat(parts);
  };

  const giveUp = () => {
    gone = true;
    pending = [];
    pendingBytes = 0;
    unwritten = undefined;
  };

  const flush = () => {
    if (writing || gone || (pending.length === 0 && !unwritten)) return;
    const batch = take();
    writing = true;
    write(fd, batch, (error, written) => {
      writing = false;
      if (error && (error as NodeJS.ErrnoException).code !== 'EAGAIN') return giveUp();
      const rest = batch.subarray(error ? 0 : written);
      // Put back ahead of the lines logged meanwhile; the timer tries again.
      if (rest.length > 0) unwritten = unwritten ? Buffer.concat([rest, unwritten]) : rest;
    });
  };

  const flushAtExit = () => {
    if (gone) return;
    // An asynchronous write still under way owns its batch; what came after is written here.
    let rest = writing ? Buffer.from(pending.join('')) : take();
    const deadline = options.exitDeadline();
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(fd, rest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || performance.now() >= deadline) {
          return giveUp();
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  };

  const timer = setInterval(flush, options.flushMs);
  timer.unref();
  atExit.add(flushAtExit);

  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      if (!gone) {
        const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        pending.push(line);
        pendingBytes += line.length;
        // A reader that stopped reading must not grow the relay's memory: oldest lines go.
        while (pendingBytes > options.maxPendingBytes && pending.length > 1) {
          pendingBytes -= pending.shift()!.length;
        }
        if (pendingBytes >= options.batchBytes) flush();
      }
      callback();
    },
    final(callback) {
      flush();
      callback();
    },
    destroy(error, callback) {
      clearInterval(timer);
      atExit.delete(flushAtExit);
      callback(error);
    },
  });
}
