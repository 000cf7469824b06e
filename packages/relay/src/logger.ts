import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createRotatingFile, type RotatingFileOptions } from './lib/rotatingFile.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; the CLI uses stderr so stdout carries only the ready line. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean; fd?: number };
  /** Every line also goes, as JSON, to this rotating file (the executable's default). */
  file?: RotatingFileOptions;
}

// One line per publish cost a write(2) each (a tenth of the relay's CPU at 1,000 orders/s):
// lines now leave in 4 KiB batches, or after at most FLUSH_MS when traffic is light. pino
// flushes the rest synchronously when the process exits (process.exit, SIGTERM via the CLI).
const BUFFER_BYTES = 4096;
const FLUSH_MS = 200;

let writeDeadline: number | undefined;

/**
 * From now on a log write that finds stderr full (a pipe nobody reads any more) is retried
 * for at most `ms`, then its lines are dropped. Called when the relay stops: pino's final
 * synchronous flush retried such a write forever, so a stopped relay never exited (its main
 * thread asleep in the retry loop, seen as a futex wait) until it was SIGKILLed.
 */
export function boundLogWrites(ms: number): void {
  writeDeadline = Date.now() + ms;
}

const stillRetrying = () => writeDeadline === undefined || Date.now() < writeDeadline;

/** JSON lines for log shippers; human-readable when a person watches the terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const console = createConsoleLogger(options);
  if (!options.file) return console;
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  const file = createRotatingFile(options.file);
  // The console stream as the console logger has it (pretty on a terminal, batched JSON otherwise).
  const consoleStream = (console as unknown as Record<symbol, NodeJS.WritableStream>)[
    pino.symbols.streamSym
  ]!;
  return pino(
    base,
    pino.multistream([
      { level: base.level as pino.Level, stream: consoleStream },
      { level: base.level as pino.Level, stream: file },
    ]),
  );
}

function createConsoleLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  if (destination.isTTY) {
    return pino(base, pretty({ destination: destination.fd ?? 2, colorize: true, sync: true }));
  }
  if (typeof destination.fd !== 'number') return pino(base, destination);
  const stream = pino.destination({
    dest: destination.fd,
    sync: false,
    minLength: BUFFER_BYTES,
    periodicFlush: FLUSH_MS,
    retryEAGAIN: stillRetrying,
  });
  // A write given up on (above) is an error event; a log line that cannot be written has
  // nowhere to be reported, and must not take the relay down.
  stream.on('error', () => undefined);
  return pino(base, stream);
}
