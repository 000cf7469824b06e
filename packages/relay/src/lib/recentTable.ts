/**
 * What happened lately, one row per key (a device and reason, an address and reason): a row
 * noted again moves to the newest place, rows older than `recentMs` go, and the table never
 * holds more than `maxRows` (the keys come from the network: made-up ones must not grow it).
 */
export interface RecentTable<T> {
  /** Notes `key` at `nowMs`: `next` makes its row from the one it had (if still recent). */
  note(key: string, nowMs: number, next: (previous: T | undefined) => T): T;
  /** The rows still recent at `nowMs`, oldest first, the newest `limit` at most. */
  rows(nowMs: number, limit?: number): T[];
}

export function createRecentTable<T>(recentMs: number, maxRows = 1_000): RecentTable<T> {
  const rows = new Map<string, { row: T; atMs: number }>();

  function forget(nowMs: number) {
    for (const [key, { atMs }] of rows) if (nowMs - atMs >= recentMs) rows.delete(key);
    // Oldest first: a Map keeps insertion order, and a row noted again is inserted anew.
    while (rows.size > maxRows) rows.delete(rows.keys().next().value!);
  }

  return {
    note(key, nowMs, next) {
      forget(nowMs);
      const row = next(rows.get(key)?.row);
      rows.delete(key);
      rows.set(key, { row, atMs: nowMs });
      forget(nowMs);
      return row;
    },
    rows(nowMs, limit = Number.POSITIVE_INFINITY) {
      forget(nowMs);
      const all = [...rows.values()].map(({ row }) => row);
      return limit < all.length ? all.slice(-limit) : all;
    },
  };
}
