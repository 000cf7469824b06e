import { KitchenSyncError } from '@kitchen-sync/protocol';
import type pg from 'pg';

/**
 * Each entry moves the schema one version forward; `schema_version` records how far a
 * database got. Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
   -- One row per outlet, locked FOR UPDATE by the writer that appends: the seq comes from
   -- here and goes back with a rollback, so the log has no gaps (docs/postgres-store.md).
   CREATE TABLE outlet_heads (
     outlet text PRIMARY KEY,
     head bigint NOT NULL,
     pruned_through bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE events (
     outlet text NOT NULL,
     seq bigint NOT NULL,
     event_id text NOT NULL UNIQUE,
     tenant text NOT NULL,
     ts_ms bigint NOT NULL,
     body text NOT NULL,
     PRIMARY KEY (outlet, seq)
   );
   CREATE TABLE orders (
     order_id text PRIMARY KEY,
     outlet text NOT NULL,
     tenant text NOT NULL,
     status text NOT NULL,
     created_seq bigint NOT NULL,
     status_seq bigint NOT NULL,
     updated_ms bigint NOT NULL,
     body text NOT NULL
   );
   CREATE INDEX orders_open ON orders (outlet, created_seq)
     WHERE status NOT IN ('completed', 'cancelled');
   CREATE INDEX orders_final ON orders (outlet, status_seq)
     WHERE status IN ('completed', 'cancelled');
   CREATE TABLE acks (
     order_id text NOT NULL,
     kitchen_id text NOT NULL,
     seq bigint NOT NULL,
     PRIMARY KEY (order_id, kitchen_id)
   );
   CREATE TABLE cursors (name text PRIMARY KEY, value bigint NOT NULL);`,
  // When PostgreSQL logged each event, by its own clock: retention ages events by this, so a
  // node whose clock is wrong can neither log an event as old nor prune a young one (ts_ms is
  // the node's). Events logged before this migration count from the migration, so they are
  // kept up to one retention longer, never pruned early. now() as the default for them adds
  // the column without rewriting the table; new rows get the time of their INSERT.
  `ALTER TABLE events ADD COLUMN logged_at timestamptz NOT NULL DEFAULT now();
   ALTER TABLE events ALTER COLUMN logged_at SET DEFAULT clock_timestamp();`,
  // Finished orders retention removed, by id (EventStore.ts: PrunedOrder), forgotten by the
  // database's clock like the events. Ids pruned before this migration stay unknown.
  `CREATE TABLE pruned_orders (
     order_id text PRIMARY KEY,
     outlet text NOT NULL,
     tenant text NOT NULL,
     status text NOT NULL,
     created_seq bigint NOT NULL,
     status_seq bigint NOT NULL,
     finished_ms bigint NOT NULL,
     pruned_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX pruned_orders_by_outlet ON pruned_orders (outlet, status_seq);
   CREATE INDEX pruned_orders_by_age ON pruned_orders (pruned_at);`,
  // Events retention removed while their order stays stored, by id (EventStore.ts:
  // PrunedEvent), forgotten with the order. Events pruned before this migration stay unknown.
  `CREATE TABLE pruned_events (
     event_id text PRIMARY KEY,
     order_id text NOT NULL,
     outlet text NOT NULL,
     type text NOT NULL,
     seq bigint NOT NULL,
     version bigint NOT NULL
   );
   CREATE INDEX pruned_events_by_order ON pruned_events (order_id, seq);
   CREATE INDEX pruned_events_by_seq ON pruned_events (outlet, seq);`,
  // An event body as a JSON object, or NULL when it is none (a row written by hand, a damaged
  // page): retention reads the bodies it removes, and one unparseable row must not stop the
  // outlet's retention for good. It only reads, so its exception block takes no transaction id.
  `CREATE FUNCTION ks_json_object(body text) RETURNS json LANGUAGE plpgsql IMMUTABLE AS $$
   BEGIN
     IF json_typeof(body::json) = 'object' THEN
       RETURN body::json;
     END IF;
     RETURN NULL;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $$;`,
];

// Any constant both sides agree on: nodes that start together queue on it.
const MIGRATION_LOCK = 0x6b73_6d69; // "ksmi"

/**
 * Brings the database to the newest schema. Runs under an advisory lock, so nodes that start
 * at the same moment migrate one after the other (the second finds nothing to do), and each
 * step in its own transaction with its version row. A database newer than this relay is
 * refused: an old node must not write rows it does not understand.
 */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_version',
    );
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new KitchenSyncError(
        'store_schema_newer',
        `the database has schema version ${current}, newer than this relay knows (${MIGRATIONS.length}); upgrade the relay`,
        { version: current, known: MIGRATIONS.length },
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[version]!);
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
