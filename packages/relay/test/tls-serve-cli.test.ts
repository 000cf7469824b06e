import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureOutletCertificate } from '../src/index.js';
import { createCertificateAuthority, issueServerCertificate } from '../src/tls/lib/issuer.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';
import { companyCa, httpsGet, peerFingerprint, testCa } from './tlsHelpers.js';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const env = () => ({
  KS_SECRET: SECRET,
  KS_DATA_DIR: tempDir('ks-cli-data-'),
  KS_LOG_LEVEL: 'info',
});

/**
 * `serve` with these flags must stop at start: the code on stderr, nothing listening, exit 1
 * (exit 2 for flags that contradict each other: a usage error).
 */
async function refusedWith(args: string[], code: string, exitCode = 1) {
  const out = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args], env());
  expect(out.stderr).toContain(`[${code}]`);
  expect(out.stdout).not.toContain('listening');
  expect(out.code).toBe(exitCode);
}

describe('kitchen-sync-relay serve with TLS', () => {
  it('serves HTTPS from --tls-cert/--tls-key and picks up renewed files on SIGHUP', async () => {
    const ca = await testCa();
    const first = await ca.issue();
    const second = await ca.issue();
    const dir = tempDir('ks-cli-tls-');
    const certFile = join(dir, 'relay.crt');
    const keyFile = join(dir, 'relay.key');
    writeFileSync(certFile, first.cert);
    writeFileSync(keyFile, first.key);
    const relay = await startCli(
      ['--tls-cert', certFile, '--tls-key', keyFile, '--tls-ca', ca.caFile],
      env(),
    );
    expect(relay.url).toMatch(/^https:\/\//);
    const port = Number(new URL(relay.url).port);
    expect((await httpsGet(relay.url, '/health', ca.caPem)).json().tls).toMatchObject({
      enabled: true,
      source: 'files',
    });
    expect((await httpsGet(relay.url, '/ca.crt', ca.caPem)).status).toBe(200);

    writeFileSync(certFile, second.cert);
    writeFileSync(keyFile, second.key);
    relay.child.kill('SIGHUP');
    await new Promise<void>((resolve) => {
      const check = () => relay.stderr().includes('TLS certificate reloaded') && resolve();
      relay.child.stderr?.on('data', check);
      check();
    });
    expect(await peerFingerprint(port, ca.caPem)).toBe(second.fingerprint256);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('serves HTTPS with --tls auto and a --name', async () => {
    const dataDir = tempDir('ks-cli-auto-');
    const relay = await startCli(['--tls', 'auto', '--name', 'relay.local'], {
      ...env(),
      KS_DATA_DIR: dataDir,
    });
    const { readFileSync } = await import('node:fs');
    const caPem = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
    const health = (await httpsGet(relay.url, '/health', caPem)).json();
    expect(health.tls).toMatchObject({ enabled: true, source: 'auto' });
    expect(health.tls.subjectAltNames).toContain('DNS:relay.local');
    // The console tells the person at the relay's PC what /setup must show, and where it is.
    const { X509Certificate } = await import('node:crypto');
    const caLine = `outlet CA SHA-256 (the one /setup shows): ${new X509Certificate(caPem).fingerprint256}`;
    const setupLine = `device setup (CA certificate, QR code): ${relay.url}/setup`;
    await new Promise<void>((resolve) => {
      const check = () =>
        relay.stdout().includes(caLine) && relay.stdout().includes(setupLine) && resolve();
      relay.child.stdout?.on('data', check);
      check();
    });
  });

  it('prints the name and SHA-256 of a company CA given with --tls-ca, as of its own', async () => {
    const ca = await companyCa('ACME Company CA');
    const pair = await ca.issue(['localhost'], ['127.0.0.1']);
    const relay = await startCli(
      ['--tls-cert', pair.certFile, '--tls-key', pair.keyFile, '--tls-ca', ca.caFile],
      env(),
    );
    const { X509Certificate } = await import('node:crypto');
    const lines = [
      `outlet CA certificate: ${ca.caFile} (ACME Company CA)`,
      `outlet CA SHA-256 (the one /setup shows): ${new X509Certificate(ca.caPem).fingerprint256}`,
      `device setup (CA certificate, QR code): ${relay.url}/setup`,
    ];
    await new Promise<void>((resolve) => {
      const check = () => lines.every((line) => relay.stdout().includes(line)) && resolve();
      relay.child.stdout?.on('data', check);
      check();
    });
  });

  it('offers /setup on the console only with a CA to hand out; without TLS it lives through SIGHUP', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const files = await startCli(['--tls-cert', pair.certFile, '--tls-key', pair.keyFile], env());
    files.child.kill('SIGTERM');
    expect(await files.exited).toBe(0);
    expect(files.stdout()).toContain('listening on https://');
    expect(files.stdout()).not.toContain('device setup');

    const plain = await startCli([], env());
    plain.child.kill('SIGHUP');
    await new Promise<void>((resolve) => {
      const check = () => plain.stderr().includes('SIGHUP: nothing to reload') && resolve();
      plain.child.stderr?.on('data', check);
      check();
    });
    expect((await fetch(`${plain.url}/health`)).status).toBe(200);
    plain.child.kill('SIGTERM');
    expect(await plain.exited).toBe(0);
  });

  it('refuses missing, corrupt, expired and mismatched files with their codes', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    const other = await ca.issue();
    const dir = tempDir('ks-cli-bad-');
    const corrupt = join(dir, 'corrupt.crt');
    writeFileSync(corrupt, '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    const oldCa = await testCa(longAgo);
    const expired = await oldCa.issue({ now: longAgo, leafDays: 30, renewBeforeDays: 0 });
    const key = ['--tls-key', pair.keyFile];
    await refusedWith(['--tls-cert', join(dir, 'none.crt'), ...key], 'tls_cert_missing');
    await refusedWith(
      ['--tls-cert', pair.certFile, '--tls-key', join(dir, 'none.key')],
      'tls_key_missing',
    );
    await refusedWith(['--tls-cert', dir, ...key], 'tls_cert_unreadable');
    await refusedWith(['--tls-cert', corrupt, ...key], 'tls_cert_invalid');
    await refusedWith(['--tls-cert', pair.certFile, '--tls-key', pair.certFile], 'tls_key_invalid');
    await refusedWith(
      ['--tls-cert', expired.certFile, '--tls-key', expired.keyFile],
      'tls_cert_expired',
    );
    await refusedWith(
      ['--tls-cert', pair.certFile, '--tls-key', other.keyFile],
      'tls_key_mismatch',
    );
    await refusedWith(
      ['--tls-cert', pair.certFile, ...key, '--tls-ca', pair.certFile],
      'tls_ca_invalid',
    );
  });

  // /ca.crt and /setup hand out --tls-ca: one that cannot make devices trust the served
  // certificate would leave every tablet relay_untrusted.
  it('refuses a --tls-ca that did not issue the certificate, or has expired', async () => {
    const ours = await companyCa('ACME Company CA');
    const pair = await ours.issue(['localhost'], ['127.0.0.1']);
    const other = await testCa();
    const files = ['--tls-cert', pair.certFile, '--tls-key', pair.keyFile];
    await refusedWith([...files, '--tls-ca', other.caFile], 'tls_ca_mismatch');

    const expiredCa = await createCertificateAuthority({
      commonName: 'Old Company CA',
      now: new Date(Date.now() - 400 * 86_400_000),
      days: 30,
    });
    // The leaf is still current: only the CA handed out has run out (checked before whether it
    // issued the leaf: our issuer never lets a leaf outlive its CA, a company's may).
    const leaf = await issueServerCertificate({
      ca: await createCertificateAuthority({
        commonName: 'New Company CA',
        now: new Date(),
        days: 365,
      }),
      commonName: 'localhost',
      names: ['localhost'],
      addresses: ['127.0.0.1'],
      now: new Date(),
      days: 90,
    });
    const dir = tempDir('ks-cli-oldca-');
    writeFileSync(join(dir, 'relay.crt'), leaf.certPem);
    writeFileSync(join(dir, 'relay.key'), leaf.keyPem);
    writeFileSync(join(dir, 'ca.crt'), expiredCa.certPem);
    await refusedWith(
      [
        '--tls-cert',
        join(dir, 'relay.crt'),
        '--tls-key',
        join(dir, 'relay.key'),
        '--tls-ca',
        join(dir, 'ca.crt'),
      ],
      'tls_ca_expired',
    );
  });

  it('refuses contradicting or incomplete TLS flags, a bad --name and a bad --app', async () => {
    const ca = await testCa();
    const pair = await ca.issue();
    await refusedWith(['--tls-cert', pair.certFile], 'tls_key_missing', 2);
    await refusedWith(['--tls-key', pair.keyFile], 'tls_cert_missing', 2);
    await refusedWith(['--tls', 'yes'], 'tls_mode_invalid', 2);
    await refusedWith(['--tls', 'auto', '--tls-cert', pair.certFile], 'tls_mode_conflict', 2);
    await refusedWith(['--name', 'relay.local'], 'tls_mode_conflict', 2);
    await refusedWith(['--tls', 'auto', '--name', 'not a host!'], 'tls_invalid_name');
    await refusedWith(['--app', `kiosk=${join(tempDir(), 'missing')}`], 'app_dir_missing');
    await refusedWith(['--app', `api=${tempDir()}`], 'app_prefix_reserved');
  });

  it('--tls auto makes a relay.key others can read 0600 and logs tls_key_permissions', async () => {
    const tlsDir = tempDir('ks-cli-relaykey-');
    await ensureOutletCertificate({ dir: tlsDir, names: ['relay.local'] });
    const keyFile = join(tlsDir, 'relay.key');
    chmodSync(keyFile, 0o644);
    const relay = await startCli(
      ['--tls', 'auto', '--tls-dir', tlsDir, '--name', 'relay.local'],
      env(),
    );
    // Logged at start, before the relay's own "relay listening" line on the same stream.
    await new Promise<void>((resolve) => {
      const check = () => relay.stderr().includes('"msg":"relay listening"') && resolve();
      relay.child.stderr?.on('data', check);
      check();
    });
    expect(relay.stderr()).toContain('"code":"tls_key_permissions"');
    expect(relay.stderr()).toContain('644 → 600');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('refuses an outlet CA key that other users can read', async () => {
    const tlsDir = tempDir('ks-cli-perm-');
    mkdirSync(tlsDir, { recursive: true });
    await ensureOutletCertificate({ dir: tlsDir, names: ['relay.local'] });
    chmodSync(join(tlsDir, 'ca.key'), 0o644);
    await refusedWith(['--tls', 'auto', '--tls-dir', tlsDir], 'tls_ca_key_permissions');
  });
});
