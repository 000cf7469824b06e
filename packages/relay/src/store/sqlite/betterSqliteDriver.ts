import { createRequire } from 'node:module';
import type { SqliteConnection, SqliteDriver, SqliteStatement } from './SqliteDriver.js';

// Only the members used here: the package is optional, so its types may be absent.
interface BetterDatabase {
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  pragma(sql: string, options: { simple: true }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  close(): void;
}
type BetterDatabaseClass = new (
  filename: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => BetterDatabase;

/**
 * better-sqlite3, a native addon compiled at install: the engine on Node older than 22.13.
 * Returns `undefined` when the optional package is not installed (or not built for this Node).
 */
export function loadBetterSqliteDriver(): SqliteDriver | undefined {
  let Database: BetterDatabaseClass;
  let modulePath: string;
  try {
    const require = createRequire(import.meta.url);
    modulePath = require.resolve('better-sqlite3');
    Database = require(modulePath) as BetterDatabaseClass;
    // The addon loads on first use: a build for another Node version fails here, not later.
    new Database(':memory:').close();
  } catch {
    return undefined;
  }
  return {
    engine: 'better-sqlite3',
    open(filename, options = {}) {
      const db = new Database(filename, {
        readonly: options.readonly ?? false,
        fileMustExist: options.fileMustExist ?? false,
      });
      // One wrapper for every transaction: db.transaction(fn) builds four wrapper functions
      // per call. Nested calls still become savepoints (the wrapper checks db.inTransaction).
      const transactionOf = db.transaction((fn: () => unknown) => fn());
      const connection: SqliteConnection = {
        engine: 'better-sqlite3',
        get isOpen() {
          return db.open;
        },
        exec: (sql) => db.exec(sql),
        prepare: (sql) => db.prepare(sql),
        pragmaValue: (pragma) => db.pragma(pragma, { simple: true }),
        transaction: <T>(fn: () => T) => transactionOf(fn) as T,
        close: () => db.close(),
      };
      return connection;
    },
    workerSource: `
const Database = require(${JSON.stringify(modulePath)});
function openCheckpointConnection(filename) {
  const db = new Database(filename, { fileMustExist: true });
  return {
    checkpoint: () => db.pragma('wal_checkpoint(PASSIVE)')[0],
    close: () => db.close(),
  };
}
function openReadConnection(filename) {
  const db = new Database(filename, { fileMustExist: true });
  db.pragma('query_only = 1');
  return { prepare: (sql) => db.prepare(sql), close: () => db.close() };
}
`,
  };
}
