import type { EventStore } from '../store/EventStore.js';

export interface CatchUpPlan {
  /** Head of the outlet's log at the moment of the cut: what `sync:caught_up.seq` reports. */
  head: number;
  /** true = send the open-orders snapshot; false = send the events after `since`. */
  snapshot: boolean;
}

/**
 * Decides between backlog and snapshot. A `since` counts only with this log's epoch, must
 * not be ahead of the head (a log that was replaced), and must not point before what
 * retention still holds.
 */
export function planCatchUp(
  store: EventStore,
  outlet: string,
  since: number | undefined,
  epoch: string | undefined,
  options: { snapshotWhenNoCursor: boolean },
): CatchUpPlan {
  const head = store.head(outlet);
  const cursor = since ?? 0;
  if (epoch !== undefined && epoch !== store.epoch) return { head, snapshot: true };
  if (cursor === 0) {
    return { head, snapshot: options.snapshotWhenNoCursor || store.prunedThrough(outlet) > 0 };
  }
  if (epoch === undefined && options.snapshotWhenNoCursor) return { head, snapshot: true };
  return { head, snapshot: cursor > head || cursor < store.prunedThrough(outlet) };
}
