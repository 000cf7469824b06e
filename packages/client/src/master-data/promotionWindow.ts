const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A promotion's start or end as ms since epoch; an absent bound is open (±Infinity, both
 * valid IndexedDB keys). A bare date means a whole day in the terminal's own time zone, the
 * way a restaurant writes "valid until 31 January". Returns NaN for an unreadable value.
 */
export function promotionBound(value: unknown, edge: 'start' | 'end'): number {
  if (value === undefined || value === null || value === '') {
    return edge === 'start' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (typeof value !== 'string') return Number.NaN;
  const day = DATE_ONLY.exec(value);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
    return edge === 'start'
      ? new Date(year, month, date).getTime()
      : new Date(year, month, date + 1).getTime() - 1;
  }
  return Date.parse(value);
}
