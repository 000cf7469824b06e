/**
 * For eval'd worker threads that hold a SQLite connection of their own (checkpoints, the
 * bridge): the relay's thread must know when that connection is closed, because the store's
 * final checkpoint on shutdown wants every other connection gone.
 *
 * `CLOSE_CONNECTION_SOURCE` (CommonJS, needs `parentPort` and `workerData.closed` in scope)
 * defines `closeConnection(db)`: closes `db`, then flags `workerData.closed` and ends the port.
 */
export const CLOSE_CONNECTION_SOURCE = `
function closeConnection(db) {
  try {
    db.close();
  } finally {
    const closed = new Int32Array(workerData.closed);
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    parentPort.close();
  }
}
`;

/** What the worker flags in `closeConnection`: pass it as `workerData.closed`. */
export const connectionClosedFlag = (): SharedArrayBuffer => new SharedArrayBuffer(4);

/**
 * Blocks until the worker flagged its connection closed, or `ms` passed. Blocking on purpose:
 * the store closes right after, synchronously, and this runs once, at shutdown.
 */
export function waitUntilClosed(flag: SharedArrayBuffer, ms: number): void {
  Atomics.wait(new Int32Array(flag), 0, 0, ms);
}
