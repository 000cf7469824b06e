import 'reflect-metadata/lite';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureOutletCertificate,
  lanAddresses,
  type OutletCertificateOptions,
} from '../src/tls/index.js';
import { PLAUSIBLE_NOW, tlsFailure } from './tlsHelpers.js';

const DAY = 86_400_000;
const NOW = PLAUSIBLE_NOW;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-tls-outlet-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const options = (overrides: Partial<OutletCertificateOptions> = {}): OutletCertificateOptions => ({
  dir: join(dir, 'tls'),
  names: ['relay.local'],
  addresses: ['192.168.1.10', 'fd00::10'],
  now: NOW,
  ...overrides,
});

function leafOf(pemChain: string): X509Certificate {
  return new X509Certificate(pemChain);
}

function caOf(caCertPath: string): X509Certificate {
  return new X509Certificate(readFileSync(caCertPath));
}

describe('ensureOutletCertificate: the first call', () => {
  it('creates the CA and a leaf for every name and address, IPv6 included, that the CA verifies', async () => {
    const result = await ensureOutletCertificate(
      options({
        names: ['relay.local', 'KDS.outlet7.example'],
        addresses: ['192.168.1.10', 'FD00::10', '::1'],
      }),
    );
    expect(result.issued).toBe('missing');
    const leaf = leafOf(result.material.cert);
    const ca = caOf(result.caCertPath);
    expect(leaf.subjectAltName).toBe(
      'DNS:relay.local, DNS:kds.outlet7.example, IP Address:192.168.1.10, IP Address:FD00:0:0:0:0:0:0:10, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(result.material.subjectAltNames).toEqual([
      'DNS:relay.local',
      'DNS:kds.outlet7.example',
      'IP:192.168.1.10',
      'IP:fd00::10',
      'IP:::1',
    ]);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(leaf.subject).toBe('CN=relay.local');
    expect(leaf.fingerprint256).toBe(result.material.fingerprint256);
  });

  it('writes ca.crt, ca.key, relay.crt (leaf then CA) and relay.key, keys 0600, nothing else', async () => {
    const result = await ensureOutletCertificate(options());
    const tlsDir = join(dir, 'tls');
    expect(readdirSync(tlsDir).sort()).toEqual(['ca.crt', 'ca.key', 'relay.crt', 'relay.key']);
    expect(result).toMatchObject({
      certPath: join(tlsDir, 'relay.crt'),
      keyPath: join(tlsDir, 'relay.key'),
      caCertPath: join(tlsDir, 'ca.crt'),
    });
    expect(statSync(join(tlsDir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tlsDir, 'relay.key')).mode & 0o777).toBe(0o600);
    expect(statSync(tlsDir).mode & 0o777).toBe(0o700);
    const chain = readFileSync(result.certPath, 'utf8');
    expect(chain).toBe(result.material.cert);
    expect(readFileSync(result.keyPath, 'utf8')).toBe(result.material.key);
    const blocks = chain.match(/-----BEGIN CERTIFICATE-----/g);
    expect(blocks).toHaveLength(2);
    expect(chain.endsWith(`${readFileSync(result.caCertPath, 'utf8').trim()}\n`)).toBe(true);
    expect(readFileSync(join(tlsDir, 'ca.key'), 'utf8')).not.toBe(result.material.key);
  });

  it('gives the leaf at most 397 days from its notBefore, a day early for tablets whose clock is behind', async () => {
    const { material, caCertPath } = await ensureOutletCertificate(options());
    expect(material.notBefore).toEqual(new Date(NOW.getTime() - DAY));
    expect(new Date(caOf(caCertPath).validFrom)).toEqual(new Date(NOW.getTime() - DAY));
    const span = material.notAfter.getTime() - material.notBefore.getTime();
    expect(span).toBeLessThanOrEqual(397 * DAY);
    expect(span).toBeGreaterThan(396 * DAY);
    const shorter = await ensureOutletCertificate(
      options({ dir: join(dir, 'short'), leafDays: 90 }),
    );
    expect(
      shorter.material.notAfter.getTime() - shorter.material.notBefore.getTime(),
    ).toBeLessThanOrEqual(90 * DAY);
  });

  it('refuses a leaf validity over 397 days and a renewal window as long as a fresh leaf has left', async () => {
    await expect(ensureOutletCertificate(options({ leafDays: 398 }))).rejects.toThrow(RangeError);
    // A fresh 30-day leaf started a day ago: 29 days left, inside a 29-day window at once.
    await expect(
      ensureOutletCertificate(options({ leafDays: 30, renewBeforeDays: 29 })),
    ).rejects.toThrow(RangeError);
    const fresh = await ensureOutletCertificate(options({ leafDays: 30, renewBeforeDays: 28 }));
    expect(
      (await ensureOutletCertificate(options({ leafDays: 30, renewBeforeDays: 28 }))).issued,
    ).toBeNull();
    expect(fresh.issued).toBe('missing');
  });

  it('shapes the leaf as browsers require: ECDSA P-256, SHA-256, EKU serverAuth, critical key usage and constraints', async () => {
    const result = await ensureOutletCertificate(options());
    const leaf = new x509.X509Certificate(
      result.material.cert.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----',
    );
    const ca = new x509.X509Certificate(readFileSync(result.caCertPath, 'utf8'));

    const basic = leaf.getExtension(x509.BasicConstraintsExtension);
    expect(basic).toMatchObject({ ca: false, critical: true });
    const usage = leaf.getExtension(x509.KeyUsagesExtension);
    expect(usage).toMatchObject({ usages: x509.KeyUsageFlags.digitalSignature, critical: true });
    const extended = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    expect(extended?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    const authorityKeyId = leaf.getExtension(x509.AuthorityKeyIdentifierExtension);
    const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension);
    expect(authorityKeyId?.keyId).toBeDefined();
    expect(authorityKeyId?.keyId).toBe(caKeyId?.keyId);
    expect(leaf.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBeDefined();
    expect(leaf.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(leaf.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    // Positive, at most 20 octets (RFC 5280), with real randomness in it.
    expect(leaf.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/i);
    expect(leaf.serialNumber).not.toBe(ca.serialNumber);
  });

  it('shapes the CA: critical CA:true with path length 0, critical keyCertSign + cRLSign, about ten years', async () => {
    const result = await ensureOutletCertificate(options());
    const ca = new x509.X509Certificate(readFileSync(result.caCertPath, 'utf8'));
    expect(ca.getExtension(x509.BasicConstraintsExtension)).toMatchObject({
      ca: true,
      pathLength: 0,
      critical: true,
    });
    expect(ca.getExtension(x509.KeyUsagesExtension)).toMatchObject({
      usages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      critical: true,
    });
    expect(ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(ca.notAfter.getTime() - ca.notBefore.getTime()).toBeGreaterThan(3650 * DAY);
    expect(ca.subject).toMatch(/^CN=kitchen-sync outlet CA .+ [0-9a-f]{6}, O=kitchen-sync$/);
  });

  it('names two outlets’ CAs differently even on machines with the same host name', async () => {
    const a = await ensureOutletCertificate(options({ dir: join(dir, 'a') }));
    const b = await ensureOutletCertificate(options({ dir: join(dir, 'b') }));
    expect(caOf(a.caCertPath).subject).not.toBe(caOf(b.caCertPath).subject);
  });

  it('by default covers this machine’s LAN addresses, loopback and localhost', async () => {
    const { addresses: _ignored, ...rest } = options();
    const { material } = await ensureOutletCertificate(rest);
    expect(material.subjectAltNames.sort()).toEqual(
      [
        'DNS:relay.local',
        'DNS:localhost',
        ...[...lanAddresses(), '127.0.0.1', '::1'].map((a) => `IP:${a}`),
      ].sort(),
    );
  });

  it('keeps the CA in caDir when one is given', async () => {
    const result = await ensureOutletCertificate(options({ caDir: join(dir, 'ca') }));
    expect(readdirSync(join(dir, 'ca')).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(readdirSync(join(dir, 'tls')).sort()).toEqual(['relay.crt', 'relay.key']);
    expect(result.caCertPath).toBe(join(dir, 'ca', 'ca.crt'));
  });

  it('refuses an invalid name or address before writing anything', async () => {
    expect(
      await tlsFailure(() => ensureOutletCertificate(options({ names: ['relay_1.local'] }))),
    ).toBe('tls_invalid_name');
    expect(
      await tlsFailure(() => ensureOutletCertificate(options({ addresses: ['192.168.1.300'] }))),
    ).toBe('tls_invalid_name');
    expect(
      await tlsFailure(() => ensureOutletCertificate(options({ names: [], addresses: [] }))),
    ).toBe('tls_invalid_name');
    expect(existsSync(join(dir, 'tls'))).toBe(false);
  });
});

describe('ensureOutletCertificate: later calls', () => {
  it('keeps a leaf with 31 days left and renews one with 29, from the same CA', async () => {
    const first = await ensureOutletCertificate(options());
    const caPem = readFileSync(first.caCertPath, 'utf8');
    const at = (daysLeft: number) => new Date(first.material.notAfter.getTime() - daysLeft * DAY);

    const kept = await ensureOutletCertificate(options({ now: at(31) }));
    expect(kept.issued).toBeNull();
    expect(kept.material.fingerprint256).toBe(first.material.fingerprint256);

    const renewed = await ensureOutletCertificate(options({ now: at(29) }));
    expect(renewed.issued).toBe('expiring');
    expect(renewed.material.fingerprint256).not.toBe(first.material.fingerprint256);
    expect(renewed.material.notAfter.getTime()).toBeGreaterThan(first.material.notAfter.getTime());
    expect(readFileSync(first.caCertPath, 'utf8')).toBe(caPem);
    expect(leafOf(renewed.material.cert).verify(caOf(first.caCertPath).publicKey)).toBe(true);
    expect(loadFingerprint(renewed.certPath)).toBe(renewed.material.fingerprint256);
  });

  it('honours renewBeforeDays', async () => {
    const first = await ensureOutletCertificate(options());
    const now = new Date(first.material.notAfter.getTime() - 45 * DAY);
    expect((await ensureOutletCertificate(options({ now }))).issued).toBeNull();
    expect((await ensureOutletCertificate(options({ now, renewBeforeDays: 60 }))).issued).toBe(
      'expiring',
    );
  });

  it('renews an expired leaf', async () => {
    const first = await ensureOutletCertificate(options());
    const now = new Date(first.material.notAfter.getTime() + DAY);
    expect((await ensureOutletCertificate(options({ now }))).issued).toBe('expiring');
  });

  it('re-issues when the addresses change, not when only their order or spelling does', async () => {
    await ensureOutletCertificate(options());
    const same = await ensureOutletCertificate(
      options({ addresses: ['FD00:0::10', '192.168.1.10'] }),
    );
    expect(same.issued).toBeNull();
    const moved = await ensureOutletCertificate(
      options({ addresses: ['192.168.1.23', 'fd00::10'] }),
    );
    expect(moved.issued).toBe('addresses_changed');
    expect(moved.material.subjectAltNames).toContain('IP:192.168.1.23');
    expect(moved.material.subjectAltNames).not.toContain('IP:192.168.1.10');
  });

  it('re-issues when the names change, not when only their case does', async () => {
    await ensureOutletCertificate(options());
    expect((await ensureOutletCertificate(options({ names: ['Relay.Local'] }))).issued).toBeNull();
    const renamed = await ensureOutletCertificate(options({ names: ['relay.local', 'kds.local'] }));
    expect(renamed.issued).toBe('names_changed');
    expect(renamed.material.subjectAltNames).toContain('DNS:kds.local');
  });

  it('replaces a missing or damaged leaf', async () => {
    const first = await ensureOutletCertificate(options());
    rmSync(first.keyPath);
    const again = await ensureOutletCertificate(options());
    expect(again.issued).toBe('missing');
    expect(statSync(again.keyPath).mode & 0o777).toBe(0o600);
    // A certificate file that no longer parses is replaced too, and said to be damaged.
    writeFileSync(
      again.certPath,
      '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n',
    );
    const third = await ensureOutletCertificate(options());
    expect(third.issued).toBe('damaged');
    expect(leafOf(readFileSync(third.certPath, 'utf8')).fingerprint256).toBe(
      third.material.fingerprint256,
    );
  });

  it('re-issues when the CA is replaced', async () => {
    const first = await ensureOutletCertificate(options());
    rmSync(first.caCertPath);
    rmSync(join(dir, 'tls', 'ca.key'));
    const again = await ensureOutletCertificate(options());
    expect(again.issued).toBe('ca_changed');
    expect(leafOf(again.material.cert).checkIssued(caOf(again.caCertPath))).toBe(true);
  });

  it('runs concurrent calls one after the other: one CA, one leaf', async () => {
    const [a, b] = await Promise.all([
      ensureOutletCertificate(options()),
      ensureOutletCertificate(options()),
    ]);
    expect([a.issued, b.issued]).toEqual(['missing', null]);
    expect(b.material.fingerprint256).toBe(a.material.fingerprint256);
    expect(leafOf(b.material.cert).verify(caOf(b.caCertPath).publicKey)).toBe(true);
  });

  it('refuses a CA key readable by group or others, and works again after chmod 600', async () => {
    const first = await ensureOutletCertificate(options());
    const caKey = join(dir, 'tls', 'ca.key');
    chmodSync(caKey, 0o640);
    expect(await tlsFailure(() => ensureOutletCertificate(options()))).toBe(
      'tls_ca_key_permissions',
    );
    chmodSync(caKey, 0o604);
    expect(await tlsFailure(() => ensureOutletCertificate(options()))).toBe(
      'tls_ca_key_permissions',
    );
    chmodSync(caKey, 0o600);
    const again = await ensureOutletCertificate(options());
    expect(again.issued).toBeNull();
    expect(again.material.fingerprint256).toBe(first.material.fingerprint256);
  });

  it('refuses half a CA or a CA key that does not match, instead of minting a new CA', async () => {
    await ensureOutletCertificate(options({ caDir: join(dir, 'ca1') }));
    await ensureOutletCertificate(options({ dir: join(dir, 'other'), caDir: join(dir, 'ca2') }));
    rmSync(join(dir, 'ca2', 'ca.key'));
    expect(
      await tlsFailure(() => ensureOutletCertificate(options({ caDir: join(dir, 'ca2') }))),
    ).toBe('tls_key_missing');
    rmSync(join(dir, 'ca1', 'ca.crt'));
    expect(
      await tlsFailure(() => ensureOutletCertificate(options({ caDir: join(dir, 'ca1') }))),
    ).toBe('tls_cert_missing');
  });
});

function loadFingerprint(path: string): string {
  return new X509Certificate(readFileSync(path)).fingerprint256;
}
