import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
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

describe('stopping the relay', () => {
  it('exits on SIGTERM even when nobody reads its stderr any more (a full log pipe)', async () => {
    const relay = await startCli(
      [],
      { KS_SECRET: SECRET, KS_DATA_DIR: join(tempDir('ks-exit-'), 'data'), KS_LOG_LEVEL: 'info' },
      { readStderr: false },
    );
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
