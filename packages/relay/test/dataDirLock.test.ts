import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../src/index.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { codeOf, http, newOrderEvent, removeTempDirs, SECRET, tempDir } from './helpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

describe('one relay per data dir', () => {
  it('refuses a second store on the same dir with data_dir_locked, until the first closes', () => {
    const dir = tempDir();
    const first = createSqliteEventStore({ dataDir: dir });
    first.transaction(() => first.append(newOrderEvent()));
    expect(codeOf(() => createSqliteEventStore({ dataDir: dir }))).toBe('data_dir_locked');
    // The refused one changed nothing: the first keeps writing.
    first.transaction(() => first.append(newOrderEvent()));
    first.close();
    const again = createSqliteEventStore({ dataDir: dir });
    expect(again.head('1')).toBe(2);
    again.close();
  });

  it('a second CLI exits non-zero with data_dir_locked; a SIGKILLed holder does not block a restart', async () => {
    const dataDir = join(tempDir('ks-lock-'), 'data');
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: dataDir, KS_LOG_LEVEL: 'warn' };
    const first = await startCli([], env);
    const second = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('data_dir_locked');
    expect(second.stdout).not.toContain('listening');
    expect((await http(first.url, '/health')).status).toBe(200);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const restarted = await startCli([], env);
    expect((await http(restarted.url, '/health')).status).toBe(200);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
  });
});
