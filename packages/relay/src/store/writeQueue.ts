import type { EventStore, StoredEvent } from './EventStore.js';

/** What a write returns: its answer, and the events it appended (to broadcast after commit). */
export interface WriteOutcome<T> {
  result: T;
  events: StoredEvent[];
}

export interface WriteQueue {
  /** Runs `write` inside the next batch transaction; resolves only after that commit. */
  submit<T>(write: () => WriteOutcome<T>): Promise<T>;
  /** Commits whatever is queued now (used on shutdown; a store on the network resolves later). */
  flush(): void | Promise<void>;
}

/** A queued write and the promise it answers. */
export interface QueuedWrite {
  write: () => WriteOutcome<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one write of a committed batch ended. */
export type WriteResult =
  | { ok: true; value: WriteOutcome<unknown> }
  | { ok: false; error: unknown };

/**
 * After a batch's commit: its events to the hook, then every writer its answer. The batch is
 * committed whatever the hook does: its writers must get their answers, and a throw here
 * would escape the scheduler and take the process down.
 */
export function settleBatch(
  batch: readonly QueuedWrite[],
  outcomes: readonly WriteResult[],
  onCommitted: (events: StoredEvent[]) => void,
  onCommitHookError: (error: unknown) => void,
): void {
  const events = outcomes.flatMap((o) => (o.ok ? o.value.events : []));
  try {
    if (events.length > 0) onCommitted(events);
  } catch (error) {
    onCommitHookError(error);
  }
  batch.forEach((job, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) job.resolve(outcome.value.result);
    else job.reject(outcome.error);
  });
}

/**
 * Groups the writes that arrive in one tick into ONE transaction: one fsync-free WAL commit
 * per tick instead of per order is what keeps throughput up under load. Acks resolve and
 * events are broadcast only after the commit, in seq order.
 */
export function createWriteQueue(
  store: EventStore,
  onCommitted: (events: StoredEvent[]) => void,
  schedule: (fn: () => void) => void = setImmediate,
  onCommitHookError: (error: unknown) => void = () => undefined,
): WriteQueue {
  let jobs: Job[] = [];
  let scheduled = false;

  type Job = QueuedWrite;
  type Outcome = WriteResult;

  /** Runs the batch in one transaction; throws only if the transaction itself fails. */
  function commit(batch: Job[]): Outcome[] {
    // A lone write needs no savepoint: when it fails, rolling the whole transaction back is
    // the same thing (and at a light load nearly every tick holds one write).
    if (batch.length === 1) {
      try {
        return [{ ok: true, value: store.transaction(batch[0]!.write) }];
      } catch (error) {
        return [{ ok: false, error }];
      }
    }
    const outcomes: Outcome[] = [];
    store.transaction(() => {
      for (const job of batch) {
        try {
          // A nested transaction is a savepoint: one failing write rolls back alone.
          outcomes.push({ ok: true, value: store.transaction(job.write) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
    return outcomes;
  }

  function flush(): void {
    scheduled = false;
    if (jobs.length === 0) return;
    const batch = jobs;
    jobs = [];
    let outcomes: Outcome[];
    try {
      outcomes = commit(batch);
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    settleBatch(batch, outcomes, onCommitted, onCommitHookError);
  }

  return {
    submit<T>(write: () => WriteOutcome<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        jobs.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
    },
    flush,
  };
}
