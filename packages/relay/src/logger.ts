import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createConsoleStream } from './lib/consoleStream.js';
import {
  createRotatingFile,
  type LogFileHealth,
  type RotatingFileOptions,
} from './lib/rotatingFile.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; the CLI uses stderr so stdout carries only the ready line. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean; fd?: number };
  /** Every line also goes, as JSON, to this rotating file (the executable's default). */
  file?: RotatingFileOptions;
}

// One line per publish cost a write(2) each (a tenth of the relay's CPU at 1,000 orders/s):
// lines now leave in 4 KiB batches, or after at most FLUSH_MS when traffic is light; the
// rest is written synchronously when the process exits (process.exit, SIGTERM via the CLI).
const BUFFER_BYTES = 4096;
const FLUSH_MS = 200;
// A supervisor that stopped reading must not grow the relay's memory without bound.
const MAX_PENDING_BYTES = 1_000_000;
// A process that exits without a stop (a drained cluster node, a crash) still bounds its
// final write to a full stderr.
const EXIT_WRITE_MS = 1_000;

let writeDeadline: number | undefined;

/**
 * From now on the final write at exit retries a full stderr (a pipe nobody reads any more)
 * until `ms` from now at most, then its lines are dropped. Called when the relay stops, so
 * that a stop is bounded whatever its stderr does.
 */
export function boundLogWrites(ms: number): void {
  writeDeadline = performance.now() + ms;
}

// On the monotonic clock: a wall clock stepped back mid-stop would hold the stop that long.
const exitDeadline = () => writeDeadline ?? performance.now() + EXIT_WRITE_MS;

/** Each logger with a file, and how its file is doing (/health's `log`). */
const fileHealth = new WeakMap<Logger, () => LogFileHealth>();

/** Whether the log file takes lines; undefined for a logger without one. */
export function logFileHealth(logger: Logger): LogFileHealth | undefined {
  return fileHealth.get(logger)?.();
}

/** JSON lines for log shippers; human-readable when a person watches the terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  if (!options.file) return createConsoleLogger(options);
  const path = options.file.path;
  // The file first: its exit flush then runs before the console's, which may have to wait
  // for a full stderr. Its failures are said on the console only: the file cannot take them
  // (a failure at start is said on the next microtask, once `console` is there).
  const file = createRotatingFile({
    ...options.file,
    onWriteFailed: (failure) =>
      console.error(
        { code: failure.error, cause: failure.cause },
        `cannot write the log file ${path} (${failure.cause}): the relay runs on; its lines wait (up to 1 MB, later ones are dropped) and are written once the disk takes them again`,
      ),
    onWriteResumed: (failure) =>
      console.warn(
        { code: 'log_write_resumed', cause: failure.cause, dropped: failure.dropped },
        `the log file ${path} is written again (${failure.dropped} lines were dropped)`,
      ),
  });
  const console = createConsoleLogger(options);
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  // The console stream as the console logger has it (pretty on a terminal, batched JSON otherwise).
  const consoleStream = (console as unknown as Record<symbol, NodeJS.WritableStream>)[
    pino.symbols.streamSym
  ]!;
  const logger = pino(
    base,
    pino.multistream([
      { level: base.level as pino.Level, stream: consoleStream },
      { level: base.level as pino.Level, stream: file },
    ]),
  );
  fileHealth.set(logger, () => file.health());
  return logger;
}

function createConsoleLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  if (destination.isTTY) {
    return pino(base, pretty({ destination: destination.fd ?? 2, colorize: true, sync: true }));
  }
  if (typeof destination.fd !== 'number') return pino(base, destination);
  // Not pino.destination: its exit flush retried a closed stderr (EPIPE) forever, so a relay
  // whose supervisor had died never exited. process.stderr, read above, has made a pipe or
  // socket non-blocking: no write to it can stall the main thread.
  return pino(
    base,
    createConsoleStream(destination.fd, {
      batchBytes: BUFFER_BYTES,
      flushMs: FLUSH_MS,
      maxPendingBytes: MAX_PENDING_BYTES,
      exitDeadline,
    }),
  );
}
