import { existsSync } from 'node:fs';
import type { SqliteConnection, SqliteDriver, SqliteStatement, SqlParams } from './SqliteDriver.js';

// The members of node:sqlite used here, typed locally: @types/node 20 does not know it.
interface NodeStatement {
  run(...params: SqlParams): { changes: number | bigint };
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
}
interface NodeDatabase {
  readonly isOpen: boolean;
  readonly isTransaction?: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (filename: string, options?: { readOnly?: boolean }) => NodeDatabase;
}

// SQLite's primary result codes, for errors named as better-sqlite3 names them.
const RESULT_NAMES = [
  'OK',
  'ERROR',
  'INTERNAL',
  'PERM',
  'ABORT',
  'BUSY',
  'LOCKED',
  'NOMEM',
  'READONLY',
  'INTERRUPT',
  'IOERR',
  'CORRUPT',
  'NOTFOUND',
  'FULL',
  'CANTOPEN',
  'PROTOCOL',
  'EMPTY',
  'SCHEMA',
  'TOOBIG',
  'CONSTRAINT',
  'MISMATCH',
  'MISUSE',
  'NOLFS',
  'AUTH',
  'FORMAT',
  'RANGE',
  'NOTADB',
];

/** node:sqlite says `ERR_SQLITE_ERROR` with the number in `errcode`; the relay reads `code`. */
function named(error: unknown): unknown {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number') {
    const name = RESULT_NAMES[errcode & 0xff];
    Object.defineProperty(error, 'code', {
      value: name ? `SQLITE_${name}` : `SQLITE_${errcode}`,
      configurable: true,
      writable: true,
    });
  }
  return error;
}

function wrapStatement(statement: NodeStatement): SqliteStatement {
  return {
    run(...params) {
      try {
        const { changes } = statement.run(...params);
        return { changes: Number(changes) };
      } catch (error) {
        throw named(error);
      }
    },
    get(...params) {
      try {
        return statement.get(...params);
      } catch (error) {
        throw named(error);
      }
    },
    all(...params) {
      try {
        return statement.all(...params);
      } catch (error) {
        throw named(error);
      }
    },
  };
}

function connect(sqlite: NodeSqliteModule, filename: string, readonly: boolean): SqliteConnection {
  let db: NodeDatabase;
  try {
    db = new sqlite.DatabaseSync(filename, { readOnly: readonly });
  } catch (error) {
    throw named(error);
  }
  const prepare = (sql: string) => {
    try {
      return wrapStatement(db.prepare(sql));
    } catch (error) {
      throw named(error);
    }
  };
  // Prepared lazily: a read-only connection may never open a transaction.
  let control: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo',
    SqliteStatement
  >;
  const statements = () => {
    control ??= {
      begin: prepare('BEGIN'),
      commit: prepare('COMMIT'),
      rollback: prepare('ROLLBACK'),
      savepoint: prepare('SAVEPOINT nested'),
      release: prepare('RELEASE nested'),
      undo: prepare('ROLLBACK TO nested'),
    };
    return control;
  };
  let depth = 0;
  const abandon = (nested: boolean) => {
    const s = statements();
    try {
      if (nested) {
        s.undo.run();
        s.release.run();
      } else if (db.isTransaction !== false) {
        s.rollback.run();
      }
    } catch {
      // SQLite already rolled back (some errors, e.g. SQLITE_FULL, end the transaction).
    }
  };
  return {
    engine: 'node:sqlite',
    get isOpen() {
      return db.isOpen;
    },
    exec(sql) {
      try {
        db.exec(sql);
      } catch (error) {
        throw named(error);
      }
    },
    prepare,
    pragmaValue(pragma) {
      const row = prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown> | undefined;
      return row ? Object.values(row)[0] : undefined;
    },
    // The same statements better-sqlite3's db.transaction() runs: BEGIN/COMMIT outside,
    // SAVEPOINT/RELEASE inside, and a failure undoes only its own level.
    transaction(fn) {
      const s = statements();
      const nested = depth > 0;
      (nested ? s.savepoint : s.begin).run();
      depth++;
      let result: ReturnType<typeof fn>;
      try {
        result = fn();
      } catch (error) {
        depth--;
        abandon(nested);
        throw error;
      }
      depth--;
      try {
        (nested ? s.release : s.commit).run();
      } catch (error) {
        abandon(nested);
        throw error;
      }
      return result;
    },
    close: () => db.close(),
  };
}

// Node 22 warns on first load that node:sqlite is experimental. On an outlet's PC that
// line reads like a fault, and the relay's tests pin the behaviour it relies on.
const SQLITE_WARNING = /SQLite is an experimental feature/;

function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (SQLITE_WARNING.test(String(warning))) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Node's built-in SQLite (Node ≥ 22.13): no native addon to compile, and the only engine a
 * single-file executable can carry. Returns `undefined` on a Node without it.
 */
export function loadNodeSqliteDriver(): SqliteDriver | undefined {
  // getBuiltinModule is synchronous (the store opens synchronously) and answers undefined,
  // rather than throwing, on a Node that lacks the module.
  const sqlite = withoutSqliteWarning(
    () => process.getBuiltinModule?.('node:sqlite') as NodeSqliteModule | undefined,
  );
  if (!sqlite?.DatabaseSync) return undefined;
  return {
    engine: 'node:sqlite',
    open(filename, options = {}) {
      if (options.fileMustExist && !existsSync(filename)) {
        throw Object.assign(new Error(`unable to open database file: ${filename}`), {
          code: 'SQLITE_CANTOPEN',
        });
      }
      return connect(sqlite, filename, options.readonly ?? false);
    },
    workerSource: `
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  ${SQLITE_WARNING}.test(String(warning)) ? undefined : emitWarning.call(process, warning, ...rest);
const { DatabaseSync } = require('node:sqlite');
process.emitWarning = emitWarning;
function openCheckpointConnection(filename) {
  const db = new DatabaseSync(filename);
  const statement = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  return {
    checkpoint: () => statement.get(),
    close: () => db.close(),
  };
}
function openReadConnection(filename) {
  const db = new DatabaseSync(filename);
  db.exec('PRAGMA query_only = 1; PRAGMA busy_timeout = 1000');
  return { prepare: (sql) => db.prepare(sql), close: () => db.close() };
}
`,
  };
}
