import type { StorageHealth } from '@kitchen-sync/protocol';

/** SQLite's "database or disk is full", and the OS's own out-of-space errors. */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

export interface StorageHealthTracker {
  /** A write failed: remembered until the next write commits. */
  failed(error: unknown): void;
  committed(): void;
  status(): StorageHealth;
}

/**
 * What `/health` says about the log. A full disk keeps every read working while every
 * publish fails; an operator looking at the health page must see why.
 */
export function createStorageHealth(now: () => number): StorageHealthTracker {
  let current: StorageHealth = { ok: true };
  return {
    failed(error) {
      const code = isStorageFull(error) ? 'storage_full' : 'internal';
      if (!current.ok && current.error === code) return;
      current = { ok: false, error: code, since: new Date(now()).toISOString() };
    },
    committed() {
      if (!current.ok) current = { ok: true };
    },
    status: () => current,
  };
}
