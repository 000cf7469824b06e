import { BatchOverlay, MissingKeys } from './batchOverlay.js';
import type { PostgresEventStore } from './postgresEventStore.js';

/**
 * Runs `fn` against the PostgreSQL store's synchronous row methods (getOrder, getEvent,
 * getAck, head) outside a write: the rows it asks for are loaded in a transaction that is
 * rolled back at the end, and `fn` runs again until it has them all. Nothing is written.
 */
export async function readThrough<T>(store: PostgresEventStore, fn: () => T): Promise<T> {
  const { pool, withOverlay, load } = store.internals;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const overlay = new BatchOverlay();
    for (;;) {
      overlay.beginJob();
      try {
        return withOverlay(overlay, fn);
      } catch (error) {
        if (!(error instanceof MissingKeys)) throw error;
        await load(client, overlay, error);
      } finally {
        overlay.dropJob();
      }
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
