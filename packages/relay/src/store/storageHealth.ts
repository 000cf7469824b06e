import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageHealth } from '@kitchen-sync/protocol';
import { errorCode } from '../lib/errorCode.js';

/**
 * Why the data disk refused a write: full, read-only (remounted so after a disk error, or a
 * data dir this user may no longer write), or failing with an I/O error.
 */
export type StorageProblem = 'storage_full' | 'storage_readonly' | 'storage_failed';

/** What the data disk looks like now, asked when SQLite says no more than "I/O error". */
export interface DiskState {
  readonly: boolean;
  /** Undefined when the system cannot say. */
  freeBytes: number | undefined;
}

// SQLite says "disk I/O error" when it cannot even size its shared-memory file on a full
// disk: with less than this free, that is the cause, not a failing disk.
export const NEARLY_FULL_BYTES = 1_048_576;

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

const codeOf = (error: unknown): string => errorCode(error) ?? '';

/**
 * The disk under `dir`: statfs for the space, then one byte written to a file of its own. A
 * mount the kernel switched to read-only after an error still looks writable to access(2)
 * (ext4's emergency read-only): only a write says EROFS.
 */
export function diskStateOf(dir: string): DiskState {
  let freeBytes: number | undefined;
  try {
    const stats = statfsSync(dir);
    freeBytes = Number(stats.bavail) * Number(stats.bsize);
  } catch {
    freeBytes = undefined;
  }
  const probe = join(dir, '.kitchen-sync-write-probe');
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'w');
    writeSync(fd, 'x');
    return { readonly: false, freeBytes };
  } catch (error) {
    const code = codeOf(error);
    if (FULL.has(code)) return { readonly: false, freeBytes: 0 };
    return { readonly: NOT_WRITABLE.has(code), freeBytes };
  } finally {
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(probe, { force: true });
    } catch {
      // A disk that refused the byte may refuse the clean-up too; the next probe reuses it.
    }
  }
}

/** `diskStateOf(dir)`, asked at most once per `ms` (every failed write asks; `elapsed` monotonic). */
export function cachedDiskState(dir: string, elapsed: () => number, ms = 1_000): () => DiskState {
  let last: { state: DiskState; atMs: number } | undefined;
  return () => {
    if (!last || elapsed() - last.atMs >= ms) last = { state: diskStateOf(dir), atMs: elapsed() };
    return last.state;
  };
}

/**
 * The disk's part in a failed write, if any: SQLite's and the system's own codes first; an I/O
 * error (SQLite's names it the same whatever the cause) is told apart by asking the disk.
 * Undefined: not the disk's doing (a bug, a constraint), answered `internal`.
 */
export function storageProblemOf(
  error: unknown,
  disk?: () => DiskState,
): StorageProblem | undefined {
  const code = codeOf(error);
  if (FULL.has(code)) return 'storage_full';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'storage_readonly';
  const io = code === 'EIO' || code.startsWith('SQLITE_IOERR');
  if (!io && code !== 'SQLITE_CANTOPEN') return undefined;
  const state = disk?.();
  if (state?.readonly) return 'storage_readonly';
  if (state?.freeBytes !== undefined && state.freeBytes < NEARLY_FULL_BYTES) return 'storage_full';
  return io ? 'storage_failed' : undefined;
}

/** SQLite's "database or disk is full", and the OS's own out-of-space errors. */
export function isStorageFull(error: unknown): boolean {
  return storageProblemOf(error) === 'storage_full';
}

/**
 * What a device is answered when its write was not stored. A full disk has its own code; a
 * read-only or failing one is `internal`, which every client version retries (the entry stays
 * in its outbox), with the cause in the message; `/health` and `status` carry its code.
 */
export function failedWriteAnswer(problem: StorageProblem | undefined): {
  code: 'storage_full' | 'internal';
  message: string;
} {
  switch (problem) {
    case 'storage_full':
      return {
        code: 'storage_full',
        message: "the relay's disk is full; this request was not stored",
      };
    case 'storage_readonly':
      return {
        code: 'internal',
        message: "the relay's data disk is read-only; this request was not stored",
      };
    case 'storage_failed':
      return {
        code: 'internal',
        message: "the relay's data disk fails to write (I/O error); this request was not stored",
      };
    default:
      return { code: 'internal', message: 'the relay could not store this request' };
  }
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
export function createStorageHealth(
  now: () => number,
  problemOf: (error: unknown) => StorageProblem | undefined = storageProblemOf,
): StorageHealthTracker {
  let current: StorageHealth = { ok: true };
  return {
    failed(error) {
      const code = problemOf(error) ?? 'internal';
      if (!current.ok && current.error === code) return;
      current = { ok: false, error: code, since: new Date(now()).toISOString() };
    },
    committed() {
      if (!current.ok) current = { ok: true };
    },
    status: () => current,
  };
}
