import { Worker } from 'node:worker_threads';
import {
  CLOSE_CONNECTION_SOURCE,
  connectionClosedFlag,
  waitUntilClosed,
} from '../lib/workerConnection.js';
import type { SqliteDriver } from './sqlite/SqliteDriver.js';

export interface WalCheckpointer {
  /**
   * Stops the worker and waits (at most `STOP_WAIT_MS`) until it has closed its connection,
   * so the relay's own connection can then checkpoint everything: a connection that stays
   * open keeps a shared lock, and a process that exits while the worker is mid-round left
   * the last commits only in `relay.db-wal`.
   */
  stop(): void;
}

// CommonJS on purpose: an eval'd worker cannot import the relay's ESM modules.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const db = openCheckpointConnection(workerData.filename);
// One PASSIVE checkpoint copies the frames committed when it began; commits made while it
// ran stay behind, and SQLite restarts the WAL from its beginning only when a write finds
// every frame copied. At a few hundred commits a second one round nearly always leaves some
// behind, so the WAL only grew until the relay's own connection checkpointed at its limit,
// on the event loop. Rounds repeat until one finds no new frame (3–5 at 800 commits/s).
const checkpoint = () => {
  try {
    let previousLog = -1;
    const deadline = performance.now() + workerData.roundsBudgetMs;
    for (let round = 0; round < workerData.maxRounds && performance.now() < deadline; round++) {
      const result = db.checkpoint();
      if (result.busy || result.log === previousLog) return;
      previousLog = result.log;
    }
  } catch {
    // Busy or gone: the next round (or the relay's own safety net) catches up.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  closeConnection(db);
});
`;

// Each round that copies frames fsyncs twice. Bounds, so that a saturated relay (a commit
// every few microseconds) or slow storage (an SD card's fsync takes tens of ms, and commits
// keep landing during every round) does not keep the disk syncing without end: the rest is
// left to the relay connection's own autocheckpoint, as before.
const MAX_ROUNDS = 8;
const ROUNDS_BUDGET_MS = 50;
// A round is bounded by ROUNDS_BUDGET_MS; a worker that has not closed by then is stuck, and
// shutdown goes on without it (the relay's checkpoint then copies what it can).
const STOP_WAIT_MS = 2_000;

/**
 * Copies the WAL back into the database from a worker thread with its own connection. A
 * checkpoint fsyncs; run by the relay's own connection it stalled a commit (and every ack
 * and broadcast behind it) for 5–150 ms every ~150 commits, which was the p99 latency.
 * A PASSIVE checkpoint never blocks the writer, and SQLite allows it from another
 * connection. `onFailure` runs if the worker dies, so the caller can checkpoint itself.
 */
export function startWalCheckpointer(
  driver: SqliteDriver,
  filename: string,
  intervalMs: number,
  onFailure: (error: unknown) => void,
): WalCheckpointer {
  const closed = connectionClosedFlag();
  const worker = new Worker(driver.workerSource + CLOSE_CONNECTION_SOURCE + WORKER_SOURCE, {
    eval: true,
    workerData: {
      filename,
      intervalMs,
      maxRounds: MAX_ROUNDS,
      roundsBudgetMs: ROUNDS_BUDGET_MS,
      closed,
    },
  });
  // It must never keep a finished relay (or a test run) alive.
  worker.unref();
  let stopped = false;
  let exited = false;
  worker.on('error', (error) => {
    if (!stopped) onFailure(error);
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!stopped && code !== 0) onFailure(new Error(`checkpoint worker exited with ${code}`));
  });
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      // A worker that died has no connection left to wait for.
      if (exited) return;
      worker.postMessage('stop');
      waitUntilClosed(closed, STOP_WAIT_MS);
    },
  };
}
