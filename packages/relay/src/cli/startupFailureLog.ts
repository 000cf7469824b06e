import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../lib/privateFiles.js';
import { flagValue } from './parseFlags.js';

/** `--log-file F` / `--log-file=F`, else KS_LOG_FILE: where `serve` would have logged. */
export function logFileOf(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  return flagValue(argv, '--log-file') ?? (env.KS_LOG_FILE || undefined);
}

/**
 * A relay that refuses to start says why on stderr, which nobody sees when it was started by
 * START_KITCHEN_SYNC.bat (its window closes) or by the boot task (no console at all). The
 * same line goes to its log file, as the fatal entry the running relay would have written
 * (pino's JSON), so the reason is where the docs send the operator. Best effort: a log that
 * cannot be written is no reason to hide the error on stderr.
 */
export function logStartupFailure(
  file: string,
  message: string,
  code: string | undefined,
  now: Date = new Date(),
): void {
  const entry = {
    level: 60,
    time: now.getTime(),
    pid: process.pid,
    hostname: hostname(),
    ...(code ? { code } : {}),
    msg: `relay did not start: ${message}`,
  };
  try {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: PRIVATE_FILE_MODE });
  } catch {
    // stderr still has it
  }
}
