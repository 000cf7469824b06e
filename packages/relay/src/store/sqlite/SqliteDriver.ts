/** The SQLite libraries the relay can run on. */
export type SqliteEngine = 'node:sqlite' | 'better-sqlite3';

export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlParams = SqlValue[] | [Record<string, SqlValue>];

export interface SqliteStatement {
  run(...params: SqlParams): { changes: number };
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
}

export interface SqliteOpenOptions {
  readonly?: boolean;
  /** Refuse to create the file (SQLITE_CANTOPEN) instead of starting an empty database. */
  fileMustExist?: boolean;
}

/**
 * One connection, the part of it the relay uses. Both engines answer the same SQL, and
 * their errors carry SQLite's own names in `code` (`SQLITE_FULL`, `SQLITE_BUSY`, ...), so
 * the store, the data-dir lock and the integrity check are written once.
 */
export interface SqliteConnection {
  readonly engine: SqliteEngine;
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** First column of the first row of `PRAGMA <pragma>` (e.g. `user_version`). */
  pragmaValue(pragma: string): unknown;
  /** Runs `fn` atomically; nested calls are savepoints (a failed one leaves the rest intact). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface SqliteDriver {
  readonly engine: SqliteEngine;
  open(filename: string, options?: SqliteOpenOptions): SqliteConnection;
  /**
   * CommonJS for a worker thread (which cannot import the relay's modules): defines
   * `openCheckpointConnection(filename)`, returning `{ checkpoint(), close() }` where
   * `checkpoint()` runs `PRAGMA wal_checkpoint(PASSIVE)` and returns its `{ busy, log }` row;
   * and `openReadConnection(filename)`, returning `{ prepare(sql), close() }` on a connection
   * that cannot write (`prepare(sql).all(...)` on either engine).
   */
  readonly workerSource: string;
}
