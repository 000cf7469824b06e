import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { codeOf, newOrderEvent, removeTempDirs, SECRET, tempDir } from './helpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A closed log of `n` events (fully checkpointed: relay.db alone holds it). */
function writtenLog(n: number): string {
  const dir = tempDir();
  const store = createSqliteEventStore({ dataDir: dir });
  store.transaction(() => {
    for (let i = 0; i < n; i++) store.append(newOrderEvent());
  });
  store.close();
  return dir;
}

/** Garbage over every page after the first two: the schema still reads, the rows do not. */
function damagePages(file: string) {
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  for (let i = pageSize * 2; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
  writeFileSync(file, bytes);
}

describe('the log is checked before the relay opens it', () => {
  it('refuses damaged pages with store_corrupt and leaves the file as it was', () => {
    const dir = writtenLog(300);
    const db = join(dir, 'relay.db');
    expect(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0).toBe(false);
    damagePages(db);
    const before = digest(db);
    expect(codeOf(() => createSqliteEventStore({ dataDir: dir }))).toBe('store_corrupt');
    expect(digest(db)).toBe(before);
    expect(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0).toBe(false);
    // The refusal let go of the data dir: the operator's tools (and a fixed relay) can open it.
    expect(codeOf(() => createSqliteEventStore({ dataDir: dir }))).toBe('store_corrupt');
  });

  it('refuses a file that is not an SQLite database', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.db'), 'this is not a database, it is a shopping list\n');
    expect(codeOf(() => createSqliteEventStore({ dataDir: dir }))).toBe('store_corrupt');
  });

  it('refuses a missing relay.db whose -wal is still there', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.db-wal'), Buffer.alloc(4096, 1));
    expect(codeOf(() => createSqliteEventStore({ dataDir: dir }))).toBe('store_corrupt');
    expect(existsSync(join(dir, 'relay.db'))).toBe(false);
  });

  it('starts a new log from a zero-byte relay.db, and says so loudly', () => {
    const dir = tempDir();
    // 0600 as the relay makes it: a file readable by others gets a warning of its own.
    writeFileSync(join(dir, 'relay.db'), '', { mode: 0o600 });
    const warnings: string[] = [];
    const store = createSqliteEventStore({ dataDir: dir, onWarning: (m) => warnings.push(m) });
    expect(store.head('1')).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/EMPTY.*new epoch/);
    store.close();
    // Reopened, it is an ordinary log again: no warning.
    const reopened = createSqliteEventStore({ dataDir: dir, onWarning: (m) => warnings.push(m) });
    expect(reopened.epoch).toBe(store.epoch);
    expect(warnings).toHaveLength(1);
    reopened.close();
  });

  it('a brand-new data dir starts without a warning', () => {
    const warnings: string[] = [];
    const store = createSqliteEventStore({
      dataDir: join(tempDir(), 'new'),
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);
    store.close();
  });

  it('the CLI exits 1 with store_corrupt, never printing its ready line', async () => {
    const dir = writtenLog(300);
    damagePages(join(dir, 'relay.db'));
    const out = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: dir,
    });
    expect(out.code).toBe(1);
    expect(out.stdout).not.toContain('listening');
    expect(out.stderr).toContain('store_corrupt');
  });

  it('the CLI logs a warning for a zero-byte relay.db and serves', async () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'relay.db'), '');
    const relay = await startCli([], { KS_SECRET: SECRET, KS_DATA_DIR: dir, KS_LOG_LEVEL: 'warn' });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    expect(relay.stderr()).toMatch(/EMPTY/);
  });
});
