import { afterAll } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test-support/postgres.js';

/** The store the relay tests run on: `KS_TEST_STORE=postgres` (project relay-postgres) or SQLite. */
export const TEST_STORE = process.env.KS_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let server: Promise<PostgresServer> | undefined;

/** One PostgreSQL per test file, started on first use and stopped after the file's tests. */
export function sharedPostgres(): Promise<PostgresServer> {
  server ??= startPostgres();
  return server;
}

export async function stopSharedPostgres(): Promise<void> {
  const running = server;
  server = undefined;
  await (await running)?.stop();
}

/** A fresh, empty database on the file's PostgreSQL. */
export async function freshDatabaseUrl(): Promise<string> {
  return (await sharedPostgres()).createDatabase();
}

// Registered by whichever test file imports this (directly or through helpers.ts): a server a
// file started must not outlive it, whatever project runs the file.
afterAll(stopSharedPostgres);
