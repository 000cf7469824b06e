import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSqliteDriver } from '../src/store/sqlite/loadSqliteDriver.js';
import { killAll, type RelayProcess, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
  http,
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

/** Resolves with the exit code, or 'still running' if the process outlives `ms`. */
const exitWithin = (exited: Promise<number | string>, ms: number) =>
  Promise.race([
    exited,
    new Promise<string>((resolve) => setTimeout(resolve, ms, 'still running')),
  ]);

/** docs/relay.md: "shutdown took over 10 s; exiting anyway". */
const DOCUMENTED_BOUND_MS = 10_000;

/** Publishes `count` orders in batches of 100; resolves with the ids the relay acked. */
async function publishAcked(relay: RelayProcess, count: number): Promise<string[]> {
  const pos = await connected(relay.url, { token: await tokenFor('pos') });
  const acked: string[] = [];
  for (let sent = 0; sent < count; sent += 100) {
    const orders = Array.from({ length: Math.min(100, count - sent) }, () => order());
    const acks = await Promise.all(
      orders.map((o) => pos.request<{ ok: boolean }>('order:publish', o)),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    acked.push(...orders.map((o) => o.order_id));
  }
  return acked;
}

/** The order ids in relay.db alone (no -wal beside it): what the stop left durable. */
function ordersInFileAlone(dataDir: string): Set<string> {
  const copy = join(tempDir('ks-copy-'), 'relay.db');
  copyFileSync(join(dataDir, 'relay.db'), copy);
  expect(existsSync(`${copy}-wal`)).toBe(false);
  const db = loadSqliteDriver().open(copy, { readonly: true });
  const rows = db.prepare('SELECT order_id FROM orders').all() as { order_id: string }[];
  db.close();
  return new Set(rows.map((row) => row.order_id));
}

/** Resolves once the relay's (otherwise unread) stderr has shown `text` (bounded). */
function stderrShows(relay: RelayProcess, text: string): Promise<void> {
  const stderr = relay.child.stderr!;
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stderr never showed ${text}`)), 5_000);
    const check = (data: Buffer) => {
      seen += data.toString('utf8');
      if (!seen.includes(text)) return;
      clearTimeout(timer);
      stderr.off('data', check);
      stderr.pause();
      resolve();
    };
    stderr.on('data', check);
  });
}

/** `serve` at info level in a temp dir of its own; `logFile`: with `--log-file` there too. */
async function startInTempDir(options: { logFile?: boolean } & Parameters<typeof startCli>[2]) {
  const dir = tempDir('ks-exit-');
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'relay.log');
  const relay = await startCli(
    options.logFile ? ['--log-file', logFile] : [],
    { KS_SECRET: SECRET, KS_DATA_DIR: dataDir, KS_LOG_LEVEL: 'info' },
    options,
  );
  return { relay, dataDir, logFile };
}

describe('stopping the relay', () => {
  it('exits on SIGTERM sent just after its supervisor went away (stdout and stderr closed), logging to --log-file and keeping every acked order', async () => {
    const { relay, dataDir, logFile } = await startInTempDir({ logFile: true, readStderr: false });
    const acked = await publishAcked(relay, 50);
    // Every line so far has left the relay: the first write to find the pipe gone is the
    // stop's own (pino's exit flush retried that EPIPE forever).
    await stderrShows(relay, `"seq":${acked.length},`);
    relay.child.stdout?.destroy();
    relay.child.stderr?.destroy();
    relay.child.kill('SIGTERM');
    // A watchdog wait, not a sleep: the assertion is that the process is gone by then.
    expect(await exitWithin(relay.exited, DOCUMENTED_BOUND_MS)).toBe(0);
    const stored = ordersInFileAlone(dataDir);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"shutting down"');
  });

  it('keeps running and acking when its stderr and stdout are closed, then exits on SIGTERM', async () => {
    const { relay, dataDir } = await startInTempDir({ readStderr: false });
    relay.child.stdout?.destroy();
    relay.child.stderr?.destroy();
    // One log line per publish, each batch of them failing with EPIPE.
    const acked = await publishAcked(relay, 300);
    relay.child.kill('SIGTERM');
    expect(await exitWithin(relay.exited, DOCUMENTED_BOUND_MS)).toBe(0);
    const stored = ordersInFileAlone(dataDir);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('keeps serving when its stdout was closed before the ready line (EPIPE), logging that once to --log-file', async () => {
    const { relay, logFile } = await startInTempDir({ logFile: true, stdoutClosed: true });
    // The warning is written when the failed write reports back: wait for it, not for time.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no stdout_gone: ${relay.stderr()}`)), 5_000);
      const check = () => {
        if (!relay.stderr().includes('"code":"stdout_gone"')) return;
        clearTimeout(timer);
        relay.child.stderr!.off('data', check);
        resolve();
      };
      relay.child.stderr!.on('data', check);
      check();
    });
    expect((await http(relay.url, '/health')).status).toBe(200);
    expect(await publishAcked(relay, 5)).toHaveLength(5);
    relay.child.kill('SIGTERM');
    expect(await exitWithin(relay.exited, DOCUMENTED_BOUND_MS)).toBe(0);
    const logged = readFileSync(logFile, 'utf8');
    expect(logged.split('"code":"stdout_gone"').length - 1).toBe(1);
    expect(logged).not.toContain('uncaught exception');
  });

  it('exits on SIGTERM with its stderr pipe full and unread, and --log-file still gets every line', async () => {
    const { relay, dataDir, logFile } = await startInTempDir({ logFile: true, readStderr: false });
    // One info line per publish, ~180 bytes each: far more than a pipe's 64 KiB buffer.
    const acked = await publishAcked(relay, 1_000);
    relay.child.kill('SIGTERM');
    expect(await exitWithin(relay.exited, DOCUMENTED_BOUND_MS)).toBe(0);
    const stored = ordersInFileAlone(dataDir);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    const logged = readFileSync(logFile, 'utf8');
    expect(logged).toContain('"msg":"shutting down"');
    // One line per order: the blocked console held nothing back from the file.
    expect(logged.split('"msg":"order published"').length - 1).toBe(acked.length);
  });

  it('exits on SIGTERM even when nobody reads its stderr any more (a full log pipe)', async () => {
    const { relay } = await startInTempDir({ readStderr: false });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    // One info line per publish, ~180 bytes each: far more than a pipe's 64 KiB buffer.
    for (let batch = 0; batch < 15; batch++) {
      const acks = await Promise.all(
        Array.from({ length: 100 }, () => pos.request<{ ok: boolean }>('order:publish', order())),
      );
      expect(acks.every((a) => a.ok)).toBe(true);
    }
    relay.child.kill('SIGTERM');
    // A watchdog wait, not a sleep: the assertion is that the process is gone by then.
    expect(await exitWithin(relay.exited, 8_000)).toBe(0);
  });

  it('exits 0 on a SIGTERM sent the moment the ready line is read', async () => {
    // Three times: before the fix most such stops died of the signal itself.
    for (let i = 0; i < 3; i++) {
      const relay = await startCli([], {
        KS_SECRET: SECRET,
        KS_DATA_DIR: join(tempDir('ks-exit-'), 'data'),
        KS_LOG_LEVEL: 'warn',
      });
      relay.child.kill('SIGTERM');
      expect(await relay.exited).toBe(0);
    }
  });
});
