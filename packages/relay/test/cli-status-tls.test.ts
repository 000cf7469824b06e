import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localIdentityOf } from '../src/cli/status.js';
import { CLI, killAll, runCli, startCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';
import { testCa } from './tlsHelpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const portOf = (url: string) => new URL(url).port;

/** /health of the TLS relay on `port`, whatever its certificate (read only, in tests). */
// biome-ignore lint/suspicious/noExplicitAny: tests read /health field by field, /metrics as text
function fetchHealthJson(port: string, path = '/health'): Promise<any> {
  return new Promise((resolve, reject) => {
    httpsGet(`https://127.0.0.1:${port}${path}`, { rejectUnauthorized: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(path === '/health' ? JSON.parse(body) : body));
    }).on('error', reject);
  });
}

// `status` is also the Docker image's HEALTHCHECK: a TLS relay must be found healthy through
// the CA it serves, wherever that CA file is, and never by switching verification off.
describe('kitchen-sync-relay status against a TLS relay', () => {
  it('trusts the outlet CA of --tls-dir / KS_TLS_DIR, and not without it', async () => {
    const tlsDir = tempDir('ks-status-tls-');
    const relay = await startCli(['--tls', 'auto', '--tls-dir', tlsDir], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: tempDir('ks-status-data-'),
    });
    const port = portOf(relay.url);
    const elsewhere = { KS_DATA_DIR: tempDir('ks-status-other-') };

    const byFlag = await runCli(['status', '--port', port, '--tls-dir', tlsDir], elsewhere);
    const byEnv = await runCli(['status', '--port', port], { ...elsewhere, KS_TLS_DIR: tlsDir });
    const untrusted = await runCli(['status', '--port', port], elsewhere);

    expect(byFlag.stdout).toContain(`RUNNING at https://localhost:${port}`);
    expect(byFlag.stdout).toMatch(/HTTPS certificate valid for \d+ more days/);
    expect(byFlag.code).toBe(0);
    expect(byEnv.code).toBe(0);
    expect(untrusted.stdout).toContain(
      `answers at https://localhost:${port}, but its certificate cannot be verified here (SELF_SIGNED_CERT_IN_CHAIN)`,
    );
    expect(untrusted.stdout).toContain('--tls-dir');
    expect(untrusted.code).toBe(1);

    // Asked over http only, the relay says it wants https.
    const plain = await runCli(['status', '--url', `http://127.0.0.1:${port}`], elsewhere);
    expect(plain.stdout).toContain(`serves HTTPS only: ask https://127.0.0.1:${port} instead`);
    expect(plain.code).toBe(1);

    // Stopped, it is named by the address it serves.
    relay.child.kill('SIGTERM');
    await relay.exited;
    const down = await runCli(['status', '--port', port, '--tls-dir', tlsDir], elsewhere);
    expect(down.stdout).toContain(`NOT RUNNING: nothing answers at https://localhost:${port}`);
    expect(down.code).toBe(1);
  });

  it('sends new tablets to the address a relay bound with --host listens on, and warns that a loopback one is out of their reach', async () => {
    const dataDir = tempDir('ks-status-data-');
    // startCli binds 127.0.0.1, as `serve --host 127.0.0.1` does.
    const relay = await startCli(['--tls', 'auto'], { KS_SECRET: SECRET, KS_DATA_DIR: dataDir });
    const port = portOf(relay.url);
    const en = await runCli(['status', '--port', port, '--lang', 'en'], { KS_DATA_DIR: dataDir });
    expect(en.stdout).toContain(
      `new tablet? open once to trust this relay: https://127.0.0.1:${port}/setup\n`,
    );
    expect(en.stdout).toContain(
      'WARNING: the relay listens on 127.0.0.1 only (--host): tablets cannot reach a relay bound to 127.0.0.1.',
    );
    const id = await runCli(['status', '--port', port, '--lang', 'id'], { KS_DATA_DIR: dataDir });
    expect(id.stdout).toContain('PERINGATAN: relay hanya mendengarkan di 127.0.0.1 (--host)');
    expect((await fetchHealthJson(port)).host).toBe('127.0.0.1');
  });

  // After `sudo … autostart install` the data dir is root's: status run by the cashier's user
  // must say the CA is there but not readable for it, not ask for a flag.
  it('says when the CA is there but this user may not read it', async () => {
    const dataDir = tempDir('ks-status-root-');
    const relay = await startCli(['--tls', 'auto'], { KS_SECRET: SECRET, KS_DATA_DIR: dataDir });
    const port = portOf(relay.url);
    const asNobody = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'status'],
      {
        env: { PATH: process.env.PATH ?? '', KS_PORT: port, KS_DATA_DIR: dataDir },
        encoding: 'utf8',
        timeout: 15_000,
      },
    );
    expect(asNobody.status, asNobody.stderr).toBe(1);
    expect(asNobody.stdout).toContain('its certificate cannot be verified here');
    expect(asNobody.stdout).toContain(
      `The CA is there, but this user may not read ${join(dataDir, 'tls', 'ca.crt')} (EACCES)`,
    );
  });

  it('trusts a company CA given with --tls-ca / KS_TLS_CA', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const relay = await startCli(
      ['--tls-cert', pair.certFile, '--tls-key', pair.keyFile, '--tls-ca', ca.caFile],
      { KS_SECRET: SECRET, KS_DATA_DIR: tempDir('ks-status-data-') },
    );
    const port = portOf(relay.url);
    const elsewhere = { KS_DATA_DIR: tempDir('ks-status-other-') };

    const byFlag = await runCli(['status', '--port', port, '--tls-ca', ca.caFile], elsewhere);
    const byEnv = await runCli(['status', '--port', port], { ...elsewhere, KS_TLS_CA: ca.caFile });

    expect(byFlag.stdout).toContain(`RUNNING at https://localhost:${port}`);
    expect(byFlag.code).toBe(0);
    expect(byEnv.code).toBe(0);
  });

  it('says an expired certificate has expired and what to do, not to give the CA; /health says tls ok: false', async () => {
    const DAY_MS = 86_400_000;
    const ca = await testCa(new Date(Date.now() - 3 * DAY_MS));
    // Valid for 4 more seconds when the relay loads it (leaves are backdated by a day).
    const pair = await ca.issue({
      now: new Date(Date.now() - DAY_MS + 4_000),
      leafDays: 2,
      renewBeforeDays: 0,
    });
    const notAfter = new Date(new X509Certificate(pair.cert).validTo).getTime();
    const relay = await startCli(
      ['--tls-cert', pair.certFile, '--tls-key', pair.keyFile, '--tls-ca', ca.caFile],
      { KS_SECRET: SECRET, KS_DATA_DIR: tempDir('ks-status-data-') },
    );
    const port = portOf(relay.url);
    // The certificate's own end: a real process on the real clock.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, notAfter - Date.now() + 1_100)));

    const status = await runCli(['status', '--port', port, '--tls-ca', ca.caFile, '--lang', 'en']);
    expect(status.stdout).toContain('HTTPS CERTIFICATE HAS EXPIRED (CERT_HAS_EXPIRED)');
    expect(status.stdout).toContain('replace the files with renewed ones');
    expect(status.stdout).not.toContain('Give status the CA');
    expect(status.code).toBe(1);
    const id = await runCli(['status', '--port', port, '--tls-ca', ca.caFile, '--lang', 'id']);
    expect(id.stdout).toContain('SERTIFIKAT HTTPS-NYA SUDAH KEDALUWARSA (CERT_HAS_EXPIRED)');

    const health = await fetchHealthJson(port);
    expect(health.tls).toMatchObject({ enabled: true, ok: false, error: 'certificate_expired' });
  });

  it('checks a company certificate without localhost against its own name (--tls-cert / KS_TLS_CERT)', async () => {
    const ca = await testCa();
    const pair = await ca.issue({ names: ['relay.example'], addresses: ['192.0.2.10'] });
    const relay = await startCli(
      ['--tls-cert', pair.certFile, '--tls-key', pair.keyFile, '--tls-ca', ca.caFile],
      { KS_SECRET: SECRET, KS_DATA_DIR: tempDir('ks-status-data-') },
    );
    const port = portOf(relay.url);
    const trusted = { KS_DATA_DIR: tempDir('ks-status-other-'), KS_TLS_CA: ca.caFile };

    const byFlag = await runCli(['status', '--port', port, '--tls-cert', pair.certFile], trusted);
    const byEnv = await runCli(['status', '--port', port], {
      ...trusted,
      KS_TLS_CERT: pair.certFile,
    });
    const nameUnknown = await runCli(['status', '--port', port], trusted);

    expect(byFlag.stdout).toContain(`RUNNING at https://localhost:${port}`);
    expect(byFlag.code).toBe(0);
    expect(byEnv.code).toBe(0);
    // localhost is not among its names: without the certificate to read them, it is refused.
    expect(nameUnknown.stdout).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(nameUnknown.code).toBe(1);
  });
});

describe('the name status checks a local relay certificate against', () => {
  it('is none with localhost, else the first DNS name, else the first address', async () => {
    const ca = await testCa();
    const pem = async (names: string[], addresses: string[]) =>
      (await ca.issue({ names, addresses })).cert;

    expect(localIdentityOf(await pem(['localhost'], ['127.0.0.1']))).toBeUndefined();
    expect(localIdentityOf(await pem(['kasir.local', 'relay.lan'], ['192.0.2.10']))).toBe(
      'kasir.local',
    );
    expect(localIdentityOf(await pem([], ['192.0.2.10']))).toBe('192.0.2.10');
  });
});

describe('failed TLS handshakes on a relay process', () => {
  it('are counted by reason, logged once per address, and named by status', async () => {
    const dataDir = tempDir('ks-status-data-');
    const relay = await startCli(['--tls', 'auto'], { KS_SECRET: SECRET, KS_DATA_DIR: dataDir });
    const port = portOf(relay.url);
    // A tablet without the outlet CA: OpenSSL verifies, fails, and answers "unknown CA".
    for (let n = 0; n < 3; n++) {
      const tablet = spawnSync(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-verify_return_error',
          '-no-CAfile',
          '-no-CApath',
          '-no-CAstore',
        ],
        { input: '', encoding: 'utf8', timeout: 10_000 },
      );
      expect(tablet.status).not.toBe(0);
    }
    const health = await fetchHealthJson(port);
    expect(health.tls_failures).toEqual([
      expect.objectContaining({ address: '127.0.0.1', reason: 'certificate_untrusted', count: 3 }),
    ]);
    const metrics = await fetchHealthJson(port, '/metrics');
    expect(metrics).toContain(
      'kitchen_sync_tls_handshake_failures_total{reason="certificate_untrusted"} 3',
    );
    const status = await runCli(['status', '--port', port, '--lang', 'en'], {
      KS_DATA_DIR: dataDir,
    });
    expect(status.stdout).toContain(
      "WARNING: 1 device(s) refused this relay's certificate in the last 10 min (127.0.0.1): they do not trust the outlet CA.",
    );
    relay.child.kill('SIGTERM');
    await relay.exited;
    expect(relay.stderr().match(/"code":"tls_handshake_failed"/g)).toHaveLength(1);
  });

  it('name the name a renamed relay no longer lists, and do not send its devices to /setup', async () => {
    const dataDir = tempDir('ks-status-data-');
    const relay = await startCli(['--tls', 'auto', '--name', 'relay2.outlet.test'], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: dataDir,
    });
    const port = portOf(relay.url);
    // A device that trusts the outlet CA but still dials the old name, refusing it in the
    // handshake with the alert Chromium sends.
    const tablet = spawnSync(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'relay.outlet.test',
        '-verify_hostname',
        'relay.outlet.test',
        '-CAfile',
        join(dataDir, 'tls', 'ca.crt'),
        '-verify_return_error',
      ],
      { input: '', encoding: 'utf8', timeout: 10_000 },
    );
    expect(tablet.status).not.toBe(0);
    expect((await fetchHealthJson(port)).tls_failures).toEqual([
      expect.objectContaining({
        address: '127.0.0.1',
        reason: 'certificate_name_mismatch',
        name: 'relay.outlet.test',
      }),
    ]);
    const status = await runCli(['status', '--port', port, '--lang', 'en'], {
      KS_DATA_DIR: dataDir,
    });
    expect(status.stdout).toContain(
      "WARNING: 1 device(s) asked for relay.outlet.test, which this relay's certificate does not list (127.0.0.1): add --name relay.outlet.test (or hand out a listed name).",
    );
    expect(status.stdout).not.toContain('they do not trust the outlet CA');
    relay.child.kill('SIGTERM');
    await relay.exited;
    expect(relay.stderr()).toContain('"name":"relay.outlet.test"');
  });
});
