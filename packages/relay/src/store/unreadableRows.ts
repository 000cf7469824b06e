import { KitchenSyncError } from '@kitchen-sync/protocol';

/** A stored row whose JSON no longer parses (a flipped byte that SQLite's checks let pass). */
export interface UnreadableRow {
  table: 'events' | 'orders';
  outlet: string;
  /** The event's seq, or the order's id. */
  key: number | string;
}

/** `/health`'s `unreadable_rows`: present once the relay met one since it started. */
export interface UnreadableRowsHealth {
  code: 'store_corrupt';
  count: number;
  first: UnreadableRow;
  since: string;
}

export interface UnreadableRowsReport {
  /** Told by the store, every time it meets one (the report says each row once). */
  met(row: UnreadableRow): void;
  health(): UnreadableRowsHealth | undefined;
}

/**
 * Rows the store could not read. Readers go around them (a catch-up past an unreadable event
 * takes a snapshot instead; a snapshot leaves out an unreadable order), so one damaged row
 * stalls no kitchen; the operator learns of it from the log, once per row, and `/health`.
 */
export function createUnreadableRowsReport(
  now: () => number,
  say: (row: UnreadableRow) => void,
): UnreadableRowsReport {
  const seen = new Set<string>();
  let health: UnreadableRowsHealth | undefined;
  return {
    met(row) {
      const id = `${row.table}:${row.outlet}:${row.key}`;
      if (seen.has(id)) return;
      seen.add(id);
      health ??= {
        code: 'store_corrupt',
        count: 0,
        first: row,
        since: new Date(now()).toISOString(),
      };
      health.count = seen.size;
      say(row);
    },
    health: () => health && { ...health },
  };
}

/** What the store throws for a range it cannot read in full (`isUnreadableRange`). */
export function unreadableRange(row: UnreadableRow): KitchenSyncError {
  return new KitchenSyncError(
    'store_corrupt',
    `relay.db: ${row.table === 'events' ? `the event at seq ${row.key}` : `order ${row.key}`} of outlet ${row.outlet} cannot be read (damaged on disk)`,
    { ...row },
  );
}

export const isUnreadableRange = (error: unknown): boolean =>
  error instanceof KitchenSyncError && error.code === 'store_corrupt';
