import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { killAll, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
  newOrderEvent,
  order,
  removeTempDirs,
  SECRET,
  tempDir,
  tokenFor,
} from './helpers.js';

afterEach(() => {
  closeClients();
  killAll();
  removeTempDirs();
});

const ORDERS = 300;

function countEventsInFileAlone(file: string): number {
  const copy = join(tempDir('ks-copy-'), 'relay.db');
  copyFileSync(file, copy);
  expect(existsSync(`${copy}-wal`)).toBe(false);
  const db = loadSqliteDriver().open(copy, { readonly: true });
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number };
  db.close();
  return n;
}

describe('a graceful stop', () => {
  it('leaves every order in relay.db itself, so the file alone is a complete copy', async () => {
    const dataDir = join(tempDir('ks-stop-'), 'data');
    const relay = await startCli([], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: dataDir,
      KS_LOG_LEVEL: 'warn',
    });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    const acks = await Promise.all(
      Array.from({ length: ORDERS }, () => pos.request<{ ok: boolean }>('order:publish', order())),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    // At once: the checkpoint thread (every 250 ms) has not copied the last commits yet.
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);

    // What an operator who copies relay.db alone gets.
    expect(countEventsInFileAlone(join(dataDir, 'relay.db'))).toBe(ORDERS);
  });

  it('store.close() leaves every commit in relay.db while another connection (the checkpoint thread, a backup) has it open', () => {
    const dataDir = tempDir();
    const store = createSqliteEventStore({ dataDir });
    // Without a second connection the relay's close would be the last one, and SQLite
    // checkpoints on the last close anyway. A connection that has read once keeps a shared
    // lock on the file until it closes, as the checkpoint thread's does after its first round.
    const other = loadSqliteDriver().open(join(dataDir, 'relay.db'), { readonly: true });
    other.prepare('SELECT COUNT(*) FROM events').get();
    store.transaction(() => {
      for (let i = 0; i < ORDERS; i++) store.append(newOrderEvent());
    });
    store.close();
    expect(countEventsInFileAlone(join(dataDir, 'relay.db'))).toBe(ORDERS);
    other.close();
  });
});
