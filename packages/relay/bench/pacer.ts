import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * The load generator's clock: calls `onDue(i)` at `startMs + i * intervalMs`
 * (`performance.now()` time) for every i below `total`.
 *
 * Why a worker thread: Node's timers count whole milliseconds on the loop's cached clock, so
 * a send scheduled with setTimeout went out 0.6 ms late at the median and 1.9 ms at p99, and
 * an open-loop benchmark charges that lateness to the relay. The worker sleeps in
 * `Atomics.wait` (a futex with a sub-millisecond timeout) and wakes the main thread with a
 * message; the main thread never blocks, so no kitchen's receive time is held back.
 */
export interface Pacer {
  run(
    startMs: number,
    intervalMs: number,
    total: number,
    onDue: (i: number) => void,
  ): Promise<void>;
}

// CommonJS on purpose: the worker is evaluated from this string, outside the tsx loader.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
parentPort.once('message', ({ startMs, intervalMs, total }) => {
  for (let i = 0; i < total; i++) {
    const wait = startMs + i * intervalMs - nowMs();
    if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
    parentPort.postMessage(i);
  }
});
`;

/** Offset from `performance.now()` to the monotonic clock the worker reads. */
function monotonicOffsetMs(): number {
  return Number(process.hrtime.bigint()) / 1e6 - performance.now();
}

/** A pacer for one phase; its worker is up before this resolves, so the start is not late. */
export async function openPacer(): Promise<Pacer> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  return {
    run: (startMs, intervalMs, total, onDue) =>
      new Promise<void>((resolve, reject) => {
        // The worker exits by itself after the last index: terminating it here would hold the
        // main thread while the last order's deliveries arrive.
        worker.on('message', (i: number) => {
          onDue(i);
          if (i === total - 1) {
            worker.removeAllListeners();
            resolve();
          }
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`pacer exited early with ${code}`)));
        worker.postMessage({ startMs: startMs + monotonicOffsetMs(), intervalMs, total });
      }),
  };
}
