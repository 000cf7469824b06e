import { KitchenSyncError } from '@kitchen-sync/protocol';
import { loadBetterSqliteDriver } from './betterSqliteDriver.js';
import { loadNodeSqliteDriver } from './nodeSqliteDriver.js';
import type { SqliteDriver, SqliteEngine } from './SqliteDriver.js';

/** `auto`: node:sqlite where the runtime has it, better-sqlite3 otherwise. */
export type SqliteEnginePreference = SqliteEngine | 'auto';

const loaders: Record<SqliteEngine, () => SqliteDriver | undefined> = {
  'node:sqlite': loadNodeSqliteDriver,
  'better-sqlite3': loadBetterSqliteDriver,
};
const loaded = new Map<SqliteEngine, SqliteDriver | undefined>();

function load(engine: SqliteEngine): SqliteDriver | undefined {
  if (!loaded.has(engine)) loaded.set(engine, loaders[engine]());
  return loaded.get(engine);
}

/** The SQLite engine to open the log with; `sqlite_unavailable` when there is none. */
export function loadSqliteDriver(preference: SqliteEnginePreference = 'auto'): SqliteDriver {
  const candidates: SqliteEngine[] =
    preference === 'auto' ? ['node:sqlite', 'better-sqlite3'] : [preference];
  for (const engine of candidates) {
    const driver = load(engine);
    if (driver) return driver;
  }
  throw new KitchenSyncError(
    'sqlite_unavailable',
    preference === 'auto'
      ? `no SQLite engine: this Node (${process.version}) has no node:sqlite (it needs Node 22.13 or later) and the optional package better-sqlite3 is not installed or not built for it. Use Node 22.13+, or install better-sqlite3, or run with --memory`
      : `the SQLite engine ${preference} is not available on Node ${process.version}`,
    { preference, node: process.version },
  );
}
