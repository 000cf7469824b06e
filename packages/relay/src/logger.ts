import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; the CLI uses stderr so stdout carries only the ready line. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean; fd?: number };
}

// One line per publish cost a write(2) each (a tenth of the relay's CPU at 1,000 orders/s):
// lines now leave in 4 KiB batches, or after at most FLUSH_MS when traffic is light. pino
// flushes the rest synchronously when the process exits (process.exit, SIGTERM via the CLI).
const BUFFER_BYTES = 4096;
const FLUSH_MS = 200;

/** JSON lines for log shippers; human-readable when a person watches the terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  if (destination.isTTY) {
    return pino(base, pretty({ destination: destination.fd ?? 2, colorize: true, sync: true }));
  }
  if (typeof destination.fd !== 'number') return pino(base, destination);
  return pino(
    base,
    pino.destination({
      dest: destination.fd,
      sync: false,
      minLength: BUFFER_BYTES,
      periodicFlush: FLUSH_MS,
    }),
  );
}
