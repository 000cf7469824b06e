import pino from 'pino';
import { afterEach } from 'vitest';
import { removeTempDirs, startRelay, type TestRelay } from './helpers.js';

/** A relay log line as a test reads it. */
export interface LogLine {
  level: number;
  code?: string;
  msg: string;
}

/**
 * Relays on SQLite data dirs a test chooses (to stop, copy or damage and start again), whose
 * log lines it reads; whatever is still running is closed after each test.
 */
export function loggedRelays() {
  const relays: TestRelay[] = [];
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
    removeTempDirs();
  });
  return {
    async relayOn(dir: string, lines: LogLine[] = []): Promise<TestRelay> {
      const logger = pino(
        { level: 'info' },
        { write: (line: string) => lines.push(JSON.parse(line)) },
      );
      const t = await startRelay({ dataDir: dir, logger, store: 'sqlite' });
      relays.push(t);
      return t;
    },
    async stop(t: TestRelay): Promise<void> {
      relays.splice(relays.indexOf(t), 1);
      await t.close();
    },
  };
}
