import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHealth } from '../src/cli/status.js';
import { createLogger, createSqliteEventStore, type EventStore } from '../src/index.js';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
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

/** The error SQLite really raises on a write to a database it may only read. */
function realReadOnlyError(): unknown {
  const file = join(tempDir(), 'ro.db');
  const driver = loadSqliteDriver();
  driver.open(file).close();
  const db = driver.open(file, { readonly: true });
  try {
    db.exec('CREATE TABLE t (x)');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
}

/** A real SQLite log whose appends fail with `error` while it is set. */
function failingStore(): { store: EventStore; fail(error: unknown): void } {
  const inner = createSqliteEventStore({ dataDir: tempDir() });
  let error: unknown;
  return {
    store: {
      ...inner,
      append(event) {
        if (error) throw error;
        return inner.append(event);
      },
    },
    fail: (value) => {
      error = value;
    },
  };
}

describe('a data disk that is read-only or fails', () => {
  it('keeps orders pending on the devices (internal, with why), and /health and status say storage_readonly', async () => {
    const disk = failingStore();
    relay = await startRelay({ store: disk.store });
    const token = await tokenFor('pos');
    const pos = await connected(relay.url, { token });
    const readOnly = realReadOnlyError();
    expect((readOnly as { code?: string }).code).toMatch(/^SQLITE_READONLY/);
    disk.fail(readOnly);

    expect(await pos.request('order:publish', order())).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message: "the relay's data disk is read-only; this request was not stored",
      },
    });
    const overHttp = await http(relay.url, '/api/events', {
      token,
      body: { type: 'order:publish', payload: order() },
    });
    expect(overHttp.status).toBe(500);
    const health = await http(relay.url, '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'cannot_store',
      storage: { ok: false, error: 'storage_readonly' },
    });
    expect(describeHealth(relay.url, health.body).text).toContain('THE DATA DISK IS READ-ONLY');

    disk.fail(undefined);
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
    expect((await http(relay.url, '/health')).body.storage).toEqual({ ok: true });
  });

  it('says storage_failed for an I/O error on a disk that has room and takes writes', async () => {
    const disk = failingStore();
    relay = await startRelay({ store: disk.store });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    disk.fail(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }));
    expect(await pos.request('order:publish', order())).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('I/O error') },
    });
    const health = await http(relay.url, '/health');
    expect(health.body.storage).toMatchObject({ ok: false, error: 'storage_failed' });
    expect(describeHealth(relay.url, health.body).text).toContain('THE DATA DISK FAILS');
  });
});

describe('a log file the disk refuses', () => {
  it('changes no answer: orders are stored and acknowledged, /health stays ok and adds log', async () => {
    let full = false;
    const logger = createLogger({
      level: 'info',
      destination: { write: () => true } as unknown as NodeJS.WritableStream,
      file: {
        path: join(tempDir(), 'relay.log'),
        write(fd, buffer, offset) {
          if (full) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' });
          return writeSync(fd, buffer, offset);
        },
      },
    });
    relay = await startRelay({ logger });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    expect((await http(relay.url, '/health')).body.log).toEqual({ ok: true });
    full = true;
    // Each publish logs a line: far past a 4 KiB batch, so the file is written (and refused).
    for (let n = 1; n <= 80; n++) {
      expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: n });
    }
    const health = await http(relay.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      storage: { ok: true },
      log: { ok: false, error: 'log_write_failed', cause: 'ENOSPC' },
    });
    const said = describeHealth(relay.url, health.body);
    expect(said.running).toBe(true);
    expect(said.text).toContain('the log file cannot be written');
  });
});
