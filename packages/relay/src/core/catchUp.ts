import type { LogReader } from '../store/LogReader.js';

export interface CatchUpPlan {
  /** Head of the outlet's log when the plan was made (a snapshot reports its own head). */
  head: number;
  /** true = send the open-orders snapshot; false = send the events after `since`. */
  snapshot: boolean;
}

/** A client of the current epoch was past the head: the log went back (see planCatchUp). */
export interface LogWentBack {
  outlet: string;
  cursor: number;
  head: number;
  /** The epoch the log has now. */
  epoch: string;
  /** true when this catch-up gave it (false: another client or node did just before). */
  made: boolean;
}

/**
 * Decides between backlog and snapshot. A `since` counts only with this log's epoch, must
 * not be ahead of the head (a log that was replaced), and must not point before what
 * retention still holds.
 *
 * A cursor of this very epoch ahead of the head proves the log went back (a backup restored,
 * a disk that lost its last writes, a database failed over): the seqs past the head were
 * handed out once, and go to new orders again. Other clients past the head, or already
 * given some of those new orders' seqs, would skip them as seen: the log takes a new epoch,
 * so every client re-syncs from a snapshot.
 */
export async function planCatchUp(
  reader: LogReader,
  outlet: string,
  since: number | undefined,
  epoch: string | undefined,
  options: { snapshotWhenNoCursor: boolean; onLogWentBack?: (found: LogWentBack) => void },
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
  if (epoch !== undefined && cursor > head && reader.restartEpoch) {
    const restart = await reader.restartEpoch(epoch);
    options.onLogWentBack?.({ outlet, cursor, head, ...restart });
    return { head, snapshot: true };
  }
  return { head, snapshot: cursor > head || cursor < (await reader.prunedThrough(outlet)) };
}
