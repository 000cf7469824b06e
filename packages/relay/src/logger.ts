import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; the CLI uses stderr so stdout carries only the ready line. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean; fd?: number };
}

/** JSON lines for log shippers; human-readable when a person watches the terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const base = { level: options.level ?? 'info', base: { name: 'kitchen-sync-relay' } };
  if (destination.isTTY) {
    return pino(base, pretty({ destination: destination.fd ?? 2, colorize: true, sync: true }));
  }
  return pino(
    base,
    typeof destination.fd === 'number' ? pino.destination(destination.fd) : destination,
  );
}
