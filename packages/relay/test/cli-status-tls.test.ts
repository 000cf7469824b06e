import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';
import { testCa } from './tlsHelpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const portOf = (url: string) => new URL(url).port;

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
    expect(untrusted.stdout).toContain('NOT RUNNING');
    expect(untrusted.code).toBe(1);
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
});
