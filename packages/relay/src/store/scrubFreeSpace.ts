import type { SqliteConnection } from './sqlite/SqliteDriver.js';

const DONE_KEY = 'free_space_scrubbed';

/**
 * `secure_delete` zeroes what is deleted from now on; what relays before it pruned is still
 * in relay.db's free space (guests' names and phones, readable in the raw file). One VACUUM
 * rewrites the file without it, once per log: a new log has nothing to scrub. Best effort: a
 * disk too full for the copy VACUUM makes leaves the file as it was, and the next start
 * tries again.
 */
export function scrubFreeSpaceOnce(
  db: SqliteConnection,
  newLog: boolean,
  onWarning?: (message: string) => void,
): void {
  const done = db.prepare('SELECT 1 FROM meta WHERE key = ?').get(DONE_KEY);
  if (done) return;
  if (!newLog) {
    const started = performance.now();
    try {
      db.exec('VACUUM');
    } catch (error) {
      onWarning?.(
        `could not clear guest data an older relay had deleted from relay.db's free space (${(error as { code?: string }).code ?? error}); tried again at the next start`,
      );
      return;
    }
    onWarning?.(
      `cleared guest data an older relay had deleted from relay.db's free space (once, ${Math.round(performance.now() - started)} ms)`,
    );
  }
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
    DONE_KEY,
    new Date().toISOString(),
  );
}
