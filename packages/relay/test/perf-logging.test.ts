import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishResult } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAll, type RelayProcess, startCli } from './cliProcess.js';
import { connected, order, SECRET, type TestClient, tokenFor } from './helpers.js';

let dir: string;
const sockets: TestClient[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-log-'));
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ KS_SECRET: SECRET, KS_DATA_DIR: join(dir, 'data'), KS_LOG_LEVEL: 'info' });

const logLines = (relay: RelayProcess, msg: string) =>
  relay
    .stderr()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg: string; seq?: number })
    .filter((line) => line.msg === msg);

/** Resolves once the relay's stderr holds a line with this `msg` (bounded). */
function logged(relay: RelayProcess, msg: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (logLines(relay, msg).length === 0) return;
      relay.child.stderr?.off('data', check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      relay.child.stderr?.off('data', check);
      reject(new Error(`no "${msg}" line: ${relay.stderr()}`));
    }, timeoutMs);
    relay.child.stderr?.on('data', check);
    check();
  });
}

describe('buffered log lines', () => {
  it('reach the log while the relay idles, not only at exit', async () => {
    const relay = await startCli([], env());
    sockets.push(await connected(relay.url, { token: await tokenFor('kitchen') }));
    await logged(relay, 'client connected');
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('keeps one line per publish, all of them written by the time SIGTERM exits', async () => {
    const relay = await startCli([], env());
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    sockets.push(pos);
    const acks = await Promise.all(
      Array.from({ length: 50 }, () => pos.request<PublishResult>('order:publish', order())),
    );
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const seqs = logLines(relay, 'order published').map((line) => line.seq);
    expect(seqs.sort((a, b) => a! - b!)).toEqual(acks.map((ack) => ack.seq).sort((a, b) => a - b));
    expect(logLines(relay, 'relay closed')).toHaveLength(1);
  });
});
