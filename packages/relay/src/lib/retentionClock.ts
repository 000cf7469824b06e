/**
 * The time retention prunes by: the wall clock, but never running ahead of real time by more
 * than twice. A relay PC whose clock jumps forward a day (NTP correcting a slow clock, a typo
 * in the date) pruned a whole day's log on the next minute's prune, and a POS retry of an order
 * finished minutes before was then booked as a new order (the log is also what refuses a second
 * order with the same id). A jump is now followed at twice real time, so nothing younger than
 * half the retention age is pruned because of it; a jump back is followed at once (that prunes
 * less, never more).
 */
export function createRetentionClock(
  now: () => number,
  elapsed: () => number = () => performance.now(),
): () => number {
  let value = now();
  let last = elapsed();
  return () => {
    const at = elapsed();
    value = Math.min(now(), value + 2 * (at - last));
    last = at;
    return value;
  };
}
