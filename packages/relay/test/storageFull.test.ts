import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore, type EventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { isStorageFull } from '../src/store/storageHealth.js';
import {
  closeClients,
  connected,
  http,
  order,
  removeTempDirs,
  startRelay,
  type TestRelay,
  tempDir,
  tokenFor,
} from './helpers.js';

let relay: TestRelay | undefined;
afterEach(async () => {
  closeClients();
  await relay?.close();
  relay = undefined;
  removeTempDirs();
});

/** The error SQLite really raises when a database cannot grow (max_page_count reached). */
function realDiskFullError(): unknown {
  const db = loadSqliteDriver().open(':memory:');
  db.exec('CREATE TABLE t (b BLOB)');
  db.exec(`PRAGMA max_page_count = ${db.pragmaValue('page_count') as number}`);
  try {
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
}

/** A real SQLite log whose appends fail as a full disk makes them fail, while `full` is set. */
function fillableStore(): { store: EventStore; setFull(full: boolean): void } {
  const inner = createSqliteEventStore({ dataDir: tempDir() });
  const error = realDiskFullError();
  let full = false;
  return {
    store: {
      ...inner,
      append(event) {
        if (full) throw error;
        return inner.append(event);
      },
    },
    setFull: (value) => {
      full = value;
    },
  };
}

describe('a full disk', () => {
  it('is recognised from the error SQLite raises', () => {
    const error = realDiskFullError();
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    expect(isStorageFull(error)).toBe(true);
    expect(isStorageFull(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFull(new Error('SQLITE_CONSTRAINT'))).toBe(false);
  });

  it('answers storage_full to publish (socket and HTTP 507), turns /health into a 503 cannot_store, and clears on the next commit', async () => {
    const disk = fillableStore();
    relay = await startRelay({ store: disk.store });
    const token = await tokenFor('pos');
    const pos = await connected(relay.url, { token });
    expect((await http(relay.url, '/health')).body.storage).toEqual({ ok: true });

    disk.setFull(true);
    expect(await pos.request('order:publish', order())).toMatchObject({
      ok: false,
      error: { code: 'storage_full' },
    });
    const overHttp = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:publish', payload: order() },
    });
    expect(overHttp.status).toBe(507);
    expect(overHttp.body.error.code).toBe('storage_full');
    const health = await http(relay.url, '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'cannot_store',
      storage: { ok: false, error: 'storage_full' },
    });

    disk.setFull(false);
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
    const recovered = await http(relay.url, '/health');
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ status: 'ok', storage: { ok: true } });
  });

  it('answers storage_full to a status update too', async () => {
    const disk = fillableStore();
    relay = await startRelay({ store: disk.store });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    const o = order();
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
    disk.setFull(true);
    expect(
      await pos.request('order:update', { order_id: o.order_id, status: 'cancelled' }),
    ).toMatchObject({ ok: false, error: { code: 'storage_full' } });
  });
});
