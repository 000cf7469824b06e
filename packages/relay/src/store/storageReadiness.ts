import type { StorageHealth } from '@kitchen-sync/protocol';

/** A probe's answer serves the health checks of this long (many devices probe /health). */
const PROBE_REUSE_MS = 1_000;

export interface StorageReadinessOptions {
  /** The last write's outcome (storageHealth.ts). */
  storage: () => StorageHealth;
  /** A write that changes nothing (LogReader.probeWrite); absent: the last write decides. */
  probeWrite?: () => Promise<void>;
  /** A monotonic clock in ms (performance.now). */
  elapsed: () => number;
}

/**
 * Whether this node can store writes now: what `/health`'s status, and so a balancer, go by.
 * A failed write is remembered until the next one commits, but a node the balancer took out
 * gets no write that could clear it, so while writes fail a store with a probe proves it
 * can write again itself. The probe does not clear `storage`: a failure of one outlet's
 * writes (another node holding its row) stays visible there without taking this node out.
 */
export function createStorageReadiness(options: StorageReadinessOptions): () => Promise<boolean> {
  const { probeWrite, elapsed } = options;
  let last: { ok: boolean; atMs: number } | undefined;
  let running: Promise<boolean> | undefined;
  return () => {
    if (options.storage().ok) return Promise.resolve(true);
    if (!probeWrite) return Promise.resolve(false);
    if (last && elapsed() - last.atMs < PROBE_REUSE_MS) return Promise.resolve(last.ok);
    running ??= probeWrite().then(
      () => settle(true),
      () => settle(false),
    );
    return running;
  };

  function settle(ok: boolean): boolean {
    last = { ok, atMs: elapsed() };
    running = undefined;
    return ok;
  }
}
