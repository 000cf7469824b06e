import { KitchenSyncError } from '@kitchen-sync/protocol';
import type pg from 'pg';
import type { StoredEvent } from '../EventStore.js';
import {
  type QueuedWrite,
  settleBatch,
  type WriteOutcome,
  type WriteQueue,
  type WriteResult,
} from '../writeQueue.js';
import { BatchOverlay, MissingKeys } from './batchOverlay.js';
import type { PostgresEventStore } from './postgresEventStore.js';

type Job = QueuedWrite;
type Outcome = WriteResult;

/** Whole batches run again after losing a race with another node, at most this often. */
const MAX_BATCH_ATTEMPTS = 8;
/** Row loads one write may ask for (a publish needs two: its order and its outlet). */
const MAX_LOADS_PER_WRITE = 32;

/** unique_violation, serialization_failure, deadlock_detected: another node got there first. */
const LOST_RACE = new Set(['23505', '40001', '40P01']);
const lostRace = (error: unknown) => LOST_RACE.has((error as { code?: string }).code ?? '');
/**
 * lock_not_available, query_canceled: the server's own limits (connectionLimits.ts) ended a
 * statement, most often a wait for a head row that a frozen node holds. The batch fails (its
 * writes are answered `internal` and retried by their clients), the connection is healthy.
 */
const SERVER_LIMIT = new Set(['55P03', '57014']);
const connectionKept = (error: unknown) =>
  lostRace(error) || SERVER_LIMIT.has((error as { code?: string }).code ?? '');

/**
 * The write queue of the PostgreSQL store: the same contract as `createWriteQueue` (one
 * transaction per batch, acks and broadcasts only after COMMIT), with writes that stay
 * synchronous. Each write runs against the batch's in-memory overlay; a row it needs and the
 * overlay lacks stops it (`MissingKeys`), the queue loads that row inside the transaction and
 * runs the write again (writes are deterministic but for ids and clock, and only the last run
 * counts). A batch that loses a race with another node rolls back and runs again.
 */
export function createPostgresWriteQueue(
  store: PostgresEventStore,
  onCommitted: (events: StoredEvent[]) => void,
  schedule: (fn: () => void) => void = setImmediate,
  onCommitHookError: (error: unknown) => void = () => undefined,
): WriteQueue {
  // The pool exists once the store is open: read it when a batch starts, not now.
  const { withOverlay, load, write, committed } = store.internals;
  let jobs: Job[] = [];
  let scheduled = false;
  let running: Promise<void> | null = null;

  async function runJob(client: pg.ClientBase, overlay: BatchOverlay, job: Job): Promise<Outcome> {
    for (let loads = 0; loads <= MAX_LOADS_PER_WRITE; loads++) {
      overlay.beginJob();
      try {
        const value = withOverlay(overlay, job.write);
        overlay.keepJob();
        return { ok: true, value };
      } catch (error) {
        overlay.dropJob();
        if (!(error instanceof MissingKeys)) return { ok: false, error };
        await load(client, overlay, error);
      }
    }
    return {
      ok: false,
      error: new KitchenSyncError('internal', 'a write asked for more rows than a write may'),
    };
  }

  /** One attempt: BEGIN, every job, the overlay's rows, COMMIT. Throws if the batch failed. */
  async function attempt(batch: Job[]): Promise<Outcome[]> {
    let client: pg.PoolClient;
    try {
      client = await store.internals.pool.connect();
    } catch (error) {
      throw new KitchenSyncError('store_unavailable', 'PostgreSQL is not reachable', {
        cause: (error as { code?: string }).code ?? null,
      });
    }
    try {
      await client.query('BEGIN');
      const overlay = new BatchOverlay();
      const outcomes: Outcome[] = [];
      for (const job of batch) outcomes.push(await runJob(client, overlay, job));
      await write(client, overlay);
      await client.query('COMMIT');
      client.release();
      committed(overlay);
      return outcomes;
    } catch (error) {
      // A race or a server limit leaves a healthy connection; anything else may have broken it.
      if (connectionKept(error)) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          () => client.release(true),
        );
      } else {
        client.release(true);
      }
      throw error;
    }
  }

  async function runBatch(batch: Job[]): Promise<void> {
    let outcomes: Outcome[] | undefined;
    for (let attempts = 1; !outcomes; attempts++) {
      try {
        outcomes = await attempt(batch);
      } catch (error) {
        if (lostRace(error) && attempts < MAX_BATCH_ATTEMPTS) continue;
        for (const job of batch) job.reject(error);
        return;
      }
    }
    settleBatch(batch, outcomes, onCommitted, onCommitHookError);
  }

  /** One batch at a time per node: what arrives meanwhile forms the next batch. */
  function drain(): Promise<void> {
    scheduled = false;
    running ??= (async () => {
      while (jobs.length > 0) {
        const batch = jobs;
        jobs = [];
        await runBatch(batch);
      }
    })().finally(() => {
      running = null;
      if (jobs.length > 0) kick();
    });
    return running;
  }

  function kick() {
    if (scheduled || running) return;
    scheduled = true;
    schedule(() => void drain());
  }

  return {
    submit<T>(job: () => WriteOutcome<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        jobs.push({ write: job, resolve: resolve as (value: unknown) => void, reject });
        kick();
      });
    },
    flush: drain,
  };
}
