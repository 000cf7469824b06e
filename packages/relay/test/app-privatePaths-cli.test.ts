import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';
import { httpsGet } from './tlsHelpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

/** A built app folder with its page, in a fresh temp dir (`site`). */
function site(): { root: string; app: string } {
  const root = tempDir('ks-app-private-');
  const app = join(root, 'site');
  mkdirSync(app);
  writeFileSync(join(app, 'index.html'), '<title>kiosk</title>');
  return { root, app };
}

/** `serve` must stop at start: the code on stderr, nothing listening, exit 1. */
async function refusedWith(args: string[]) {
  const out = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    KS_SECRET: SECRET,
  });
  expect(out.stderr).toContain('[app_dir_private]');
  expect(out.stdout).not.toContain('listening');
  expect(out.code).toBe(1);
  return out;
}

describe('an --app folder never serves what the relay keeps private', () => {
  it('refuses at start an app folder holding the data dir, however the paths are written', async () => {
    const { root, app } = site();
    const dataDir = join(app, 'data');
    const out = await refusedWith(['--tls', 'auto', '--data-dir', dataDir, '--app', app]);
    expect(out.stderr).toContain('the data dir');
    // Never started: no log, no certificate, nothing written where the app is served from.
    expect(existsSync(dataDir)).toBe(false);

    await refusedWith(['--data-dir', join(app, '..', 'site', 'data'), '--app', `k=${app}`]);
    symlinkSync(app, join(root, 'link'));
    await refusedWith(['--data-dir', join(root, 'link', 'data'), '--app', app]);
    await refusedWith(['--data-dir', dataDir, '--app', `k=${join(root, 'link')}`]);
    // The TLS dir and a private file given by flag are refused as well.
    await refusedWith([
      '--data-dir',
      join(root, 'data'),
      '--tls',
      'auto',
      '--tls-dir',
      join(app, 'tls'),
      '--app',
      app,
    ]);
    const secretFile = join(app, 'secret');
    writeFileSync(secretFile, SECRET, { mode: 0o600 });
    await refusedWith([
      '--data-dir',
      join(root, 'data'),
      '--secret-file',
      secretFile,
      '--app',
      app,
    ]);
    // A log file there is refused too, and not even the refusal is written into it.
    const logFile = join(app, 'relay.log');
    await refusedWith(['--data-dir', join(root, 'data'), '--log-file', logFile, '--app', app]);
    expect(existsSync(logFile)).toBe(false);
    // One outside every app folder says why the relay did not start (status reads it there).
    const ownLog = join(root, 'logs', 'relay.log');
    await refusedWith(['--data-dir', dataDir, '--log-file', ownLog, '--app', app]);
    expect(readFileSync(ownLog, 'utf8')).toContain('app_dir_private');
  });

  it('answers 404 for the data dir reached after start: by a symlink, or moved into the app folder', async () => {
    const { root, app } = site();
    const dataDir = join(root, 'data');
    const relay = await startCli(['--tls', 'auto', '--data-dir', dataDir, '--app', app], {
      KS_SECRET: SECRET,
    });
    const caPem = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
    const caKey = readFileSync(join(dataDir, 'tls', 'ca.key'));
    const relayKey = readFileSync(join(dataDir, 'tls', 'relay.key'));
    const neverServed = async (paths: string[]) => {
      for (const path of paths) {
        const answer = await httpsGet(relay.url, path, caPem);
        expect(answer.status, path).toBe(404);
        expect(answer.body.includes(caKey), path).toBe(false);
        expect(answer.body.includes(relayKey), path).toBe(false);
      }
    };
    expect((await httpsGet(relay.url, '/', caPem)).text).toContain('<title>kiosk</title>');

    symlinkSync(dataDir, join(app, 'data'));
    symlinkSync(join(dataDir, 'tls', 'ca.key'), join(app, 'ca.key'));
    await neverServed(['/data/tls/ca.key', '/data/relay.db', '/ca.key']);

    // Tidied while running: the data dir now really lies in the app folder, a symlink
    // where it was, and the relay keeps using it.
    rmSync(join(app, 'data'));
    rmSync(join(app, 'ca.key'));
    renameSync(dataDir, join(app, 'data'));
    symlinkSync(join(app, 'data'), dataDir);
    await neverServed([
      '/data/tls/ca.key',
      '/data/tls/%63a.key',
      '/data/tls/relay.key',
      '/data/relay.db',
    ]);
    expect((await httpsGet(relay.url, '/', caPem)).text).toContain('<title>kiosk</title>');
  });
});
