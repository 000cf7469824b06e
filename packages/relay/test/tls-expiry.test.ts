import 'reflect-metadata/lite';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthResponse } from '@kitchen-sync/protocol';
import * as x509 from '@peculiar/x509';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeHealth } from '../src/cli/status.js';
import { ensureOutletCertificate } from '../src/tls/index.js';
import type { writeFileAtomic } from '../src/tls/lib/atomicWrite.js';
import { createCertificateAuthority } from '../src/tls/lib/issuer.js';
import type { RelayTlsOptions } from '../src/transport/tlsServer.js';
import { killAll, runCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';
import { logLines } from './logLines.js';
import { controllerOnServer, testCa } from './tlsHelpers.js';

const DAY = 86_400_000;
const ADDRESSES = ['192.168.1.10', '127.0.0.1', '::1'];

// A disk that refuses writes (read-only, full): the test turns it on and off.
const disk = vi.hoisted(() => ({ refuses: false }));
vi.mock('../src/tls/lib/atomicWrite.js', async (importOriginal) => {
  const real = await importOriginal<{ writeFileAtomic: typeof writeFileAtomic }>();
  return {
    writeFileAtomic: (path: string, content: string, mode: number) => {
      if (disk.refuses) {
        throw Object.assign(new Error(`EROFS: read-only file system, open '${path}'`), {
          code: 'EROFS',
          syscall: 'open',
          path,
        });
      }
      real.writeFileAtomic(path, content, mode);
    },
  };
});

afterEach(() => {
  disk.refuses = false;
  killAll();
  removeTempDirs();
});

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  cause?: string;
  daysLeft?: number;
  caDaysLeft?: number;
}

function controllerWith(tls: RelayTlsOptions, clock: { at: number }) {
  const { destination, lines: log } = logLines<LogLine>();
  const { controller, server } = controllerOnServer({
    tls,
    dataDir: tempDir(),
    logger: pino({ level: 'info' }, destination),
    now: () => clock.at,
    // Only the reloads the test asks for.
    addressCheckMs: 3_600_000,
    lanAddresses: () => ['192.168.1.10'],
  });
  return { controller, server, log };
}

/** An outlet CA in `dir` that started 100 days ago and ends in `daysLeft` days. */
async function shortCa(dir: string, daysLeft: number): Promise<X509Certificate> {
  mkdirSync(dir, { recursive: true });
  const ca = await createCertificateAuthority({
    commonName: 'short CA',
    // notBefore is backdated one day from `now`.
    now: new Date(Date.now() - 99 * DAY),
    days: 100 + daysLeft,
  });
  writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  return new X509Certificate(ca.certPem);
}

describe('a CA close to its end', () => {
  it('ends the leaf with its CA, and does not issue it again on every call', async () => {
    const dir = tempDir('ks-shortca-');
    const ca = await shortCa(dir, 9);
    const options = { dir, names: ['relay.local'], addresses: ADDRESSES };
    const first = await ensureOutletCertificate(options);
    expect(first.issued).toBe('missing');
    expect(first.material.notAfter.getTime()).toBe(Date.parse(ca.validTo));
    const again = await ensureOutletCertificate(options);
    expect(again.issued).toBeNull();
    expect(again.material.fingerprint256).toBe(first.material.fingerprint256);
  });

  it('--tls auto: /health gives the CA’s end, one coded warning a day, no renewal loop', async () => {
    const dir = tempDir('ks-shortca-');
    const ca = await shortCa(dir, 9);
    const clock = { at: Date.now() };
    const { controller, server, log } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      clock,
    );
    await controller.start(server);
    const health = controller.health();
    expect(health).toMatchObject({
      enabled: true,
      caNotAfter: new Date(ca.validTo).toISOString(),
      caDaysLeft: 8,
      daysLeft: 8,
    });
    const caWarnings = () => log.filter((l) => l.code === 'tls_ca_expiring');
    expect(caWarnings()).toHaveLength(1);
    expect(caWarnings()[0]).toMatchObject({ level: 40, caDaysLeft: 8 });
    expect(caWarnings()[0]?.msg).toContain(`move ca.crt and ca.key out of ${dir}`);
    // Renewing cannot help, so the leaf is not said to have failed to renew.
    expect(log.filter((l) => l.code === 'tls_certificate_expiring')).toEqual([]);

    clock.at += 6 * 3_600_000;
    expect(await controller.reload()).toMatchObject({ ok: true, changed: false });
    expect(caWarnings()).toHaveLength(1);
    clock.at += DAY;
    expect(await controller.reload()).toMatchObject({ ok: true, changed: false });
    expect(caWarnings()).toHaveLength(2);
  });

  it('says nothing about a CA with more than 30 days left', async () => {
    const dir = tempDir('ks-shortca-');
    await shortCa(dir, 31);
    const { controller, server, log } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      { at: Date.now() },
    );
    await controller.start(server);
    expect(log.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('`cert` prints a warning with what to do', async () => {
    const dir = tempDir('ks-shortca-');
    await shortCa(dir, 9);
    const out = await runCli(['cert', '--tls-dir', dir, '--name', 'relay.local']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Warning: the CA certificate ends on .*move ca\.crt and ca\.key/);
  });
});

describe('the 30-day expiry warning', () => {
  it('--tls auto: none with 30.5 days left (no renewal was due), the leaf is kept', async () => {
    const dir = tempDir('ks-warn-');
    // The names and addresses the controller asks for: nothing but the date can make it renew.
    const made = await ensureOutletCertificate({
      dir,
      names: ['relay.local', 'localhost'],
      addresses: ADDRESSES,
    });
    const clock = { at: made.material.notAfter.getTime() - 30.5 * DAY };
    const { controller, server, log } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      clock,
    );
    await controller.start(server);
    const health = controller.health();
    expect(health.enabled && health.fingerprint256).toBe(made.material.fingerprint256);
    expect(log.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('--tls-cert: none at 30.99 days left, one at 29.9', async () => {
    const ca = await testCa();
    const pair = await ca.issue({ leafDays: 60, renewBeforeDays: 0 });
    const notAfter = Date.parse(new X509Certificate(readFileSync(pair.certFile)).validTo);
    const clock = { at: notAfter - 30.99 * DAY };
    const { controller, server, log } = controllerWith(
      { certFile: pair.certFile, keyFile: pair.keyFile },
      clock,
    );
    await controller.start(server);
    expect(log.filter((l) => l.code === 'tls_certificate_expiring')).toEqual([]);
    clock.at = notAfter - 29.9 * DAY;
    await controller.reload();
    expect(log.filter((l) => l.code === 'tls_certificate_expiring')).toMatchObject([
      { level: 40, daysLeft: 29 },
    ]);
  });
});

/**
 * A company's CA and a leaf it signed that outlives it: the relay's own issuer never makes
 * one (it ends the leaf with its CA), a company's may.
 */
async function leafOutlivingItsCa(caEnd: number, leafEnd: number) {
  const crypto = webcrypto as unknown as Crypto;
  const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const notBefore = new Date(Date.now() - DAY);
  const caKeys = await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=Old ACME CA',
      notBefore,
      notAfter: new Date(caEnd),
      signingAlgorithm: ecdsa,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const leafKeys = await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '02',
      subject: 'CN=localhost',
      issuer: ca.subject,
      notBefore,
      notAfter: new Date(leafEnd),
      signingAlgorithm: ecdsa,
      publicKey: leafKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
      ],
    },
    crypto,
  );
  const dir = tempDir('ks-old-company-');
  const files = {
    certFile: join(dir, 'relay.crt'),
    keyFile: join(dir, 'relay.key'),
    caFile: join(dir, 'ca.crt'),
  };
  writeFileSync(files.certFile, leaf.toString('pem'));
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  writeFileSync(files.keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  writeFileSync(files.caFile, ca.toString('pem'));
  return files;
}

describe('a CA that ended under a certificate still valid', () => {
  it('makes /health say tls ok: false, ca_expired, and status say so (not "ends in -3 days")', async () => {
    const caEnd = Date.now() + 10 * DAY;
    const files = await leafOutlivingItsCa(caEnd, Date.now() + 200 * DAY);
    const clock = { at: Date.now() };
    const { controller, server } = controllerWith(files, clock);
    await controller.start(server);
    expect(controller.health()).toMatchObject({ ok: true });

    clock.at = caEnd + 2.5 * DAY;
    const health = controller.health();
    expect(health).toMatchObject({ ok: false, error: 'ca_expired', caDaysLeft: -3 });
    const text = describeHealth('https://localhost:3001', {
      status: 'ok',
      uptime: 60,
      version: '0.1.0',
      connections: 0,
      clients: { pos: 0, kitchen: 0, monitor: 0 },
      head_seq: 1,
      store: 'sqlite',
      storage: { ok: true },
      timestamp: new Date(clock.at).toISOString(),
      tls: health,
    } as unknown as HealthResponse).text;
    expect(text).toContain('THE CA THAT DEVICES TRUST ENDED');
    expect(text).not.toMatch(/-3 days/);
    expect(text).toContain('answers but has a PROBLEM');
  });
});

describe('a TLS dir that cannot be written', () => {
  it('--tls auto serves a certificate that is still valid, warns with the cause, and retries', async () => {
    const dir = tempDir('ks-rotls-');
    // Issued 388 days ago: 8 days left, due for renewal.
    const made = await ensureOutletCertificate({
      dir,
      names: ['relay.local', 'localhost'],
      addresses: ADDRESSES,
      now: new Date(Date.now() - 388 * DAY),
      clockFloor: new Date(0),
    });
    disk.refuses = true;
    const clock = { at: Date.now() };
    const { controller, server, log } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      clock,
    );
    await controller.start(server);
    const health = controller.health();
    expect(health.enabled && health.fingerprint256).toBe(made.material.fingerprint256);
    const refused = log.filter((l) => l.code === 'tls_dir_unwritable');
    expect(refused).toMatchObject([{ level: 40, cause: 'EROFS' }]);
    expect(refused[0]?.msg).toContain(dir);
    // The next check tries again; once the disk takes writes, it renews.
    expect(await controller.reload()).toMatchObject({ ok: false, code: 'tls_dir_unwritable' });
    disk.refuses = false;
    expect(await controller.reload()).toMatchObject({ ok: true, changed: true });
  });

  it('--tls auto without a valid certificate refuses to start, naming the TLS dir', async () => {
    const dir = tempDir('ks-rotls-');
    disk.refuses = true;
    const { controller, server } = controllerWith(
      { auto: { dir, names: ['relay.local'] } },
      { at: Date.now() },
    );
    await expect(controller.start(server)).rejects.toMatchObject({
      code: 'tls_dir_unwritable',
      details: { path: dir, cause: 'EROFS' },
    });
  });

  it('`serve` exits 1 with tls_dir_unwritable, not a data dir refusal', async () => {
    const parent = tempDir('ks-rotls-');
    writeFileSync(join(parent, 'a-file'), 'not a folder\n');
    const tlsDir = join(parent, 'a-file', 'tls');
    const dataDir = tempDir('ks-rotls-data-');
    const out = await runCli(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--tls', 'auto', '--tls-dir', tlsDir],
      { KS_SECRET: SECRET, KS_DATA_DIR: dataDir },
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('[tls_dir_unwritable]');
    expect(out.stderr).toContain(tlsDir);
    expect(out.stderr).not.toContain(dataDir);
    expect(out.stdout).not.toContain('listening');
  });
});
