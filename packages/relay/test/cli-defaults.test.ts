import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultDataDir,
  executableDefaults,
  executableLogFile,
  isExecutable,
} from '../src/cli/defaults.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(() => removeTempDirs());

describe('what the executable fills in when started with no arguments', () => {
  it('is off under plain node (npx keeps its explicit flags)', () => {
    expect(isExecutable()).toBe(false);
  });

  it('puts the data dir beside the executable, a log file beside it, and creates a secret once', () => {
    const home = tempDir();
    const exe = join(home, 'kitchen-sync-relay.exe');
    // A fresh install's umask: the data dir must still be the relay user's alone.
    const umask = process.umask(0o022);
    const first = executableDefaults('serve', [], {}, exe);
    process.umask(umask);
    const dataDir = join(home, 'data');
    if (process.platform !== 'win32') expect(statSync(dataDir).mode & 0o777).toBe(0o700);
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
      KS_LOG_FILE: join(chosen, 'logs', 'kitchen-sync-relay.log'),
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

  it('keeps using the machine data dir once the relay put its data there, whoever runs it', () => {
    const home = tempDir();
    const programData = join(home, 'ProgramData');
    const machine = join(programData, 'kitchen-sync', 'data');
    // START_KITCHEN_SYNC.bat's relay (the cashier) could not create `data` beside the exe.
    mkdirSync(join(home, 'Program Files'));
    const exe = join(home, 'Program Files', 'kitchen-sync-relay.exe');
    writeFileSync(join(home, 'Program Files', 'data'), '');
    expect(defaultDataDir(exe, 'win32', { ProgramData: programData })).toBe(machine);
    mkdirSync(machine, { recursive: true });
    // INSTALL_AUTOSTART.bat (an administrator, who could create `data` there) registers the
    // same folder, and status and token read it.
    rmSync(join(home, 'Program Files', 'data'));
    expect(defaultDataDir(exe, 'win32', { ProgramData: programData })).toBe(machine);
    expect(defaultDataDir(exe, 'win32', { ProgramData: programData }, false)).toBe(machine);
    expect(existsSync(join(home, 'Program Files', 'data'))).toBe(false);
  });

  it('takes the data folder beside the executable whenever it exists', () => {
    const home = tempDir();
    const programData = join(home, 'ProgramData');
    mkdirSync(join(programData, 'kitchen-sync', 'data'), { recursive: true });
    mkdirSync(join(home, 'data'));
    const exe = join(home, 'kitchen-sync-relay.exe');
    for (const forWriting of [true, false]) {
      expect(defaultDataDir(exe, 'win32', { ProgramData: programData }, forWriting)).toBe(
        join(home, 'data'),
      );
    }
  });
});

describe("the executable's log file", () => {
  it('is `logs` beside a data dir named data, as installs have it', () => {
    expect(executableLogFile('/opt/ks/data')).toBe('/opt/ks/logs/kitchen-sync-relay.log');
    expect(executableLogFile('/opt/ks/Data')).toBe('/opt/ks/logs/kitchen-sync-relay.log');
  });

  it('is inside any other data dir, never shared by two relays', () => {
    // `C:\Dapur Utama` and `C:\Dapur Kedua` would both have logged to `C:\logs`.
    expect(executableLogFile('/Dapur Utama')).toBe('/Dapur Utama/logs/kitchen-sync-relay.log');
    expect(executableLogFile('/Dapur Kedua')).toBe('/Dapur Kedua/logs/kitchen-sync-relay.log');
    expect(executableLogFile('/data')).toBe('/data/logs/kitchen-sync-relay.log');
    expect(executableLogFile('/srv/outlet-a')).toBe('/srv/outlet-a/logs/kitchen-sync-relay.log');
  });
});
