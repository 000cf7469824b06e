import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { localTime } from './localTime.js';

/** The newest error or fatal entry of a relay log: when, and what it said. */
export interface LoggedProblem {
  /** This PC's local time with its offset (see localTime), `?` when the entry has none. */
  time: string;
  msg: string;
}

// A log rotates at a few MB; the last 64 KB hold the last start and stop, which is what
// someone asking "why is it not running" needs.
const TAIL_BYTES = 65_536;

// Entries that end the search: after them, an older error is not why the relay is down now.
const START_OR_CLEAN_STOP = new Set(['relay listening', 'relay closed']);

/**
 * Reads the tail of the relay's JSON log (pino) for its last error or fatal entry since it
 * last started or stopped cleanly, so `status` can say why a relay that is not running stopped
 * or did not start. Undefined when there is no log, it cannot be read, or it holds no such entry.
 */
export function lastLoggedProblem(file: string): LoggedProblem | undefined {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; time?: unknown; msg?: unknown };
      if (typeof entry.msg === 'string' && START_OR_CLEAN_STOP.has(entry.msg)) return undefined;
      if (typeof entry.level === 'number' && entry.level >= 50 && typeof entry.msg === 'string') {
        const time = typeof entry.time === 'number' ? localTime(entry.time) : '?';
        return { time, msg: entry.msg };
      }
    } catch {
      // the first line of the tail may be cut; any other line that is not JSON is skipped
    }
  }
  return undefined;
}
