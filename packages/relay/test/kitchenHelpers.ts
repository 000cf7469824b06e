import type { EventEnvelope, OrderLine, OrderState } from '@kitchen-sync/protocol';
import { createRelay, type RelayOptions } from '../src/index.js';
import { closeClients, SECRET, type TestClient, tempDir } from './helpers.js';
import { freshDatabaseUrl, TEST_STORE } from './sharedPostgres.js';

export const MIN = 60_000;

/**
 * A relay on loopback over a log that outlives it, so a test can restart it: a data dir, or
 * under `KS_TEST_STORE=postgres` (unless `options.store` says otherwise) one fresh database
 * that every restart opens again.
 */
export interface RestartableRelay {
  url: string;
  relay: ReturnType<typeof createRelay>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartable(options: RelayOptions = {}): Promise<RestartableRelay> {
  const dataDir = tempDir('ks-kitchen-');
  const onPostgres = TEST_STORE === 'postgres' && options.store === undefined;
  const postgres = onPostgres
    ? { store: 'postgres' as const, databaseUrl: await freshDatabaseUrl() }
    : {};
  const open = async () => {
    const relay = createRelay({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      secret: SECRET,
      logLevel: 'silent',
      ...postgres,
      ...options,
    });
    const { url } = await relay.listen();
    return { relay, url };
  };
  const handle = { ...(await open()) } as RestartableRelay;
  handle.close = async () => {
    closeClients();
    await handle.relay.close();
  };
  handle.restart = async () => {
    await handle.close();
    Object.assign(handle, await open());
  };
  return handle;
}

export const lineStatuses = (order: OrderState) =>
  (order.items as OrderLine[]).map((line) => line.status);

/** The events of `type` the client received, in order. */
export function eventsOf(c: TestClient, type: string): EventEnvelope<OrderState>[] {
  return c.events().filter((e) => e.type === type) as EventEnvelope<OrderState>[];
}

/** Waits for the `count`th event of `type`. */
export function waitForEvents(c: TestClient, type: string, count = 1): Promise<void> {
  return c.waitFor(() => eventsOf(c, type).length >= count);
}
