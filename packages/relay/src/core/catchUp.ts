import type { LogReader } from '../store/LogReader.js';

export interface CatchUpPlan {
  /** Head of the outlet's log when the plan was made (a snapshot reports its own head). */
  head: number;
  /** true = send the open-orders snapshot; false = send the events after `since`. */
  snapshot: boolean;
}

/**
 * Decides between backlog and snapshot. A `since` counts only with this log's epoch, must
 * not be ahead of the head (a log that was replaced), and must not point before what
 * retention still holds.
 */
export async function planCatchUp(
  reader: LogReader,
  outlet: string,
  since: number | undefined,
  epoch: string | undefined,
  options: { snapshotWhenNoCursor: boolean },
): Promise<CatchUpPlan> {
  const head = await reader.head(outlet);
  const cursor = since ?? 0;
  if (epoch !== undefined && epoch !== reader.epoch) return { head, snapshot: true };
  if (cursor === 0) {
    return {
      head,
      snapshot: options.snapshotWhenNoCursor || (await reader.prunedThrough(outlet)) > 0,
    };
  }
  if (epoch === undefined && options.snapshotWhenNoCursor) return { head, snapshot: true };
  return { head, snapshot: cursor > head || cursor < (await reader.prunedThrough(outlet)) };
}
