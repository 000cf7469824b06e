import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir, executableDefaults, isExecutable } from '../src/cli/defaults.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

describe('what the executable fills in when started with no arguments', () => {
  it('is off under plain node (npx keeps its explicit flags)', () => {
    expect(isExecutable()).toBe(false);
  });

  it('puts the data dir beside the executable, a log file beside it, and creates a secret once', () => {
    const home = tempDir();
    const exe = join(home, 'kitchen-sync-relay.exe');
    const first = executableDefaults('serve', [], {}, exe);
    const dataDir = join(home, 'data');
    expect(first.env).toEqual({
      KS_DATA_DIR: dataDir,
      KS_LOG_FILE: join(home, 'logs', 'kitchen-sync-relay.log'),
      KS_SECRET_FILE: join(dataDir, 'secret'),
    });
    const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
    expect(secret).toMatch(/^[\w-]{43}$/);
    if (process.platform !== 'win32')
      expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    expect(first.notice).toContain(join(dataDir, 'secret'));
    expect(first.notice).toContain('token --role kitchen --outlet 1');
    // The second start reuses it and says nothing.
    const second = executableDefaults('serve', [], {}, exe);
    expect(second.notice).toBeUndefined();
    expect(readFileSync(join(dataDir, 'secret'), 'utf8').trim()).toBe(secret);
    // `token` finds the same secret without being told.
    expect(
      executableDefaults('token', ['token', '--role', 'pos'], {}, exe).env.KS_SECRET_FILE,
    ).toBe(join(dataDir, 'secret'));
  });

  it('leaves what was given alone: --data-dir, KS_SECRET, --insecure-no-auth', () => {
    const home = tempDir();
    const exe = join(home, 'kitchen-sync-relay');
    const chosen = join(home, 'elsewhere');
    const given = executableDefaults(
      'serve',
      ['--data-dir', chosen],
      { KS_SECRET: 's'.repeat(40) },
      exe,
    );
    expect(given.env).toEqual({
      KS_DATA_DIR: chosen,
      KS_LOG_FILE: join(home, 'logs', 'kitchen-sync-relay.log'),
    });
    expect(given.notice).toBeUndefined();
    expect(existsSync(join(chosen, 'secret'))).toBe(false);
    expect(
      executableDefaults('serve', ['--insecure-no-auth'], {}, exe).env.KS_SECRET_FILE,
    ).toBeUndefined();
  });

  it('falls back to the machine data dir when the executable sits where it cannot write', () => {
    const home = tempDir();
    mkdirSync(join(home, 'ro'));
    // A file where the data dir would go: it can never be created.
    const blocked = join(home, 'ro', 'kitchen-sync-relay');
    writeFileSync(join(home, 'ro', 'data'), '');
    expect(defaultDataDir(blocked, 'linux')).toBe('/var/lib/kitchen-sync/data');
    expect(defaultDataDir(blocked, 'win32', { ProgramData: 'D:\\PD' })).toBe(
      join('D:\\PD', 'kitchen-sync', 'data'),
    );
  });
});
