import type { LogReader } from '../store/LogReader.js';

export interface CatchUpPlan {
  /** Head of the outlet's log when the plan was made (a snapshot reports its own head). */
  head: number;
  /** true = send the open-orders snapshot; false = send the events after `since`. */
  snapshot: boolean;
}

/**
 * A client of the current epoch was past the head, or had applied another event at its
 * cursor than the log holds there: the log went back (see planCatchUp).
 */
export interface LogWentBack {
  outlet: string;
  /** The device whose cursor proved it (its token's `sub`), when known. */
  device?: string | undefined;
  cursor: number;
  head: number;
  /** The proof was the event at `cursor`: the client's `since_event`, and the log's there. */
  replaced?: { seen: string; logged: string } | undefined;
  /** The epoch the log has now. */
  epoch: string;
  /** true when this catch-up gave it (false: another client or node did just before). */
  made: boolean;
}

/**
 * After this node started a new epoch for a client ahead of the head, further clients ahead
 * of it get a snapshot without another new epoch for this long. A real go-back needs one:
 * the other clients' cursors carry the old epoch and take a snapshot anyway. A cursor that
 * only looks ahead (a tablet moved to another outlet of this relay with its old cursor, a
 * device that sends a made-up one) then costs the outlet's screens one re-sync, not one
 * per request.
 */
export const LOG_WENT_BACK_QUIET_MS = 10 * 60_000;
const lastRestart = new WeakMap<LogReader, number>();
const quietAfterRestart = (reader: LogReader, nowMs: number): boolean => {
  const last = lastRestart.get(reader);
  return last !== undefined && nowMs - last < LOG_WENT_BACK_QUIET_MS;
};

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
 *
 * Once new orders took the head past such a cursor, only the event there tells: a client
 * that sends the `event_id` it applied at `since` (`sinceEvent`) proves the same when the
 * log holds another event at that seq. Pruned there, nothing is proven.
 */
export async function planCatchUp(
  reader: LogReader,
  outlet: string,
  since: number | undefined,
  epoch: string | undefined,
  options: {
    snapshotWhenNoCursor: boolean;
    /** The `event_id` the client applied at `since` (its `since_event`), when it sent one. */
    sinceEvent?: string | undefined;
    onLogWentBack?: (found: LogWentBack) => void;
    /** The device asking, named in the log-went-back warning. */
    device?: string | undefined;
    /** Monotonic ms, for the quiet time after a new epoch. Default `performance.now()`. */
    now?: () => number;
  },
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
  const replaced =
    epoch !== undefined
      ? await replacedAt(reader, outlet, cursor, head, options.sinceEvent)
      : undefined;
  const nowMs = (options.now ?? (() => performance.now()))();
  if (
    epoch !== undefined &&
    (cursor > head || replaced) &&
    reader.restartEpoch &&
    !quietAfterRestart(reader, nowMs)
  ) {
    lastRestart.set(reader, nowMs);
    const restart = await reader.restartEpoch(epoch);
    options.onLogWentBack?.({ outlet, device: options.device, cursor, head, replaced, ...restart });
    return { head, snapshot: true };
  }
  return {
    head,
    snapshot:
      cursor > head || replaced !== undefined || cursor < (await reader.prunedThrough(outlet)),
  };
}

/** The client's event at `cursor` and the other one the log holds there, if they differ. */
async function replacedAt(
  reader: LogReader,
  outlet: string,
  cursor: number,
  head: number,
  seen: string | undefined,
): Promise<LogWentBack['replaced']> {
  if (!seen || cursor > head || !reader.eventIdAt) return undefined;
  const logged = await reader.eventIdAt(outlet, cursor);
  // Both sides' case: the log holds ids in lower case, a UUID means the same in either.
  const differs = logged !== undefined && logged.toLowerCase() !== seen.toLowerCase();
  return differs ? { seen, logged } : undefined;
}
