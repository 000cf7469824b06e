const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * How far apart the ends of one calendar day fall in two time zones: UTC+14 to UTC−12. The
 * stored bound of a bare date may be this far from its end where the terminal is now.
 */
export const DAY_SPREAD_MS = 26 * 3_600_000;

/** The bounds a stored promotion row keeps for the `starts_at` / `ends_at` indexes. */
export interface StoredWindow {
  start_date?: string | null | undefined;
  end_date?: string | null | undefined;
  _ks_start: number;
  _ks_end: number;
}

/**
 * A promotion's start or end as ms since epoch, as stored for the indexes: a timestamp as
 * written, a bare date `YYYY-MM-DD` as that day in UTC (not the zone the terminal synced in:
 * a tablet moves, and `windowHolds` decides the day when it reads). An absent bound is open
 * (±Infinity, both valid IndexedDB keys). NaN for an unreadable value.
 */
export function storedBound(value: unknown, edge: 'start' | 'end'): number {
  return bound(value, edge, true);
}

/**
 * Whether the window holds `now`. A bare date is that whole day (the end day included) in
 * the time zone the terminal is in at this read, the way a restaurant writes "valid until
 * 31 January"; so is a timestamp without an offset. Rows stored by any release work alike:
 * only a bound that no longer parses (kept open by an upgrade) falls back to the stored one.
 */
export function windowHolds(row: StoredWindow, now: number): boolean {
  const start = bound(row.start_date, 'start', false);
  const end = bound(row.end_date, 'end', false);
  return (
    (Number.isNaN(start) ? row._ks_start : start) <= now &&
    now <= (Number.isNaN(end) ? row._ks_end : end)
  );
}

function bound(value: unknown, edge: 'start' | 'end', utc: boolean): number {
  if (value === undefined || value === null || value === '') {
    return edge === 'start' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (typeof value !== 'string') return Number.NaN;
  const day = DATE_ONLY.exec(value);
  if (!day) return Date.parse(value);
  const [year, month] = [Number(day[1]), Number(day[2]) - 1];
  const date = Number(day[3]) + (edge === 'start' ? 0 : 1);
  const ms = utc ? Date.UTC(year, month, date) : new Date(year, month, date).getTime();
  return edge === 'start' ? ms : ms - 1;
}
