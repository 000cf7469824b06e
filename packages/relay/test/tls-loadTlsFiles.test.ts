import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureOutletCertificate,
  loadTlsFiles,
  type OutletCertificate,
  TlsError,
  type TlsErrorCode,
} from '../src/tls/index.js';
import { PLAUSIBLE_NOW } from './tlsHelpers.js';

const NOW = PLAUSIBLE_NOW;
let dir: string;
let issued: OutletCertificate;
let other: OutletCertificate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-tls-load-'));
  issued = await ensureOutletCertificate({
    dir: join(dir, 'a'),
    names: ['relay.local'],
    addresses: ['192.168.1.10'],
    now: NOW,
  });
  other = await ensureOutletCertificate({
    dir: join(dir, 'b'),
    names: ['relay.local'],
    addresses: ['192.168.1.10'],
    now: NOW,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function failure(run: () => unknown): { code: TlsErrorCode; path?: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof TlsError)) throw error;
    return { code: error.code, ...(error.details.path ? { path: error.details.path } : {}) };
  }
  throw new Error('expected a TlsError');
}

describe('loadTlsFiles', () => {
  it('returns the chain, the key and the facts of the leaf', () => {
    const material = loadTlsFiles(issued.certPath, issued.keyPath, NOW);
    const leaf = new X509Certificate(material.cert);
    expect(material.cert).toBe(readFileSync(issued.certPath, 'utf8'));
    expect(material.key).toBe(readFileSync(issued.keyPath, 'utf8'));
    expect(material.fingerprint256).toBe(leaf.fingerprint256);
    expect(material.subjectAltNames).toEqual(['DNS:relay.local', 'IP:192.168.1.10']);
    expect(material.notAfter).toEqual(new Date(leaf.validTo));
    expect(material.notBefore).toEqual(new Date(leaf.validFrom));
    expect(material).toEqual({ ...issued.material });
  });

  it('reports a missing certificate or key', () => {
    const nowhere = join(dir, 'nowhere.pem');
    expect(failure(() => loadTlsFiles(nowhere, issued.keyPath, NOW))).toEqual({
      code: 'tls_cert_missing',
      path: nowhere,
    });
    expect(failure(() => loadTlsFiles(issued.certPath, nowhere, NOW))).toEqual({
      code: 'tls_key_missing',
      path: nowhere,
    });
  });

  // Tests run as root, where chmod 000 does not stop a read; a directory cannot be read by anyone.
  it('reports an unreadable certificate or key', () => {
    const folder = join(dir, 'a-folder.pem');
    mkdirSync(folder, { recursive: true });
    expect(failure(() => loadTlsFiles(folder, issued.keyPath, NOW)).code).toBe(
      'tls_cert_unreadable',
    );
    expect(failure(() => loadTlsFiles(issued.certPath, folder, NOW)).code).toBe(
      'tls_key_unreadable',
    );
  });

  it('reports a file that is not a PEM certificate, or a corrupt one', () => {
    const notPem = file('not-pem.crt', 'hello\n');
    const der = file('der.crt', new X509Certificate(issued.material.cert).raw.toString('latin1'));
    const corrupt = file(
      'corrupt.crt',
      '-----BEGIN CERTIFICATE-----\nTUlJQm9uZXNlbnNl\n-----END CERTIFICATE-----\n',
    );
    const keyAsCert = file('key-as-cert.crt', issued.material.key);
    for (const path of [notPem, der, corrupt, keyAsCert]) {
      expect(failure(() => loadTlsFiles(path, issued.keyPath, NOW))).toEqual({
        code: 'tls_cert_invalid',
        path,
      });
    }
  });

  it('reports a key that is not a PEM key, corrupt, or behind a passphrase', () => {
    const notPem = file('not-pem.key', 'hello\n');
    const corrupt = file(
      'corrupt.key',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    );
    const encrypted = file(
      'encrypted.key',
      generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        privateKeyEncoding: {
          format: 'pem',
          type: 'pkcs8',
          cipher: 'aes-256-cbc',
          passphrase: 'pw',
        },
        publicKeyEncoding: { format: 'pem', type: 'spki' },
      }).privateKey,
    );
    for (const path of [notPem, corrupt, encrypted]) {
      expect(failure(() => loadTlsFiles(issued.certPath, path, NOW))).toEqual({
        code: 'tls_key_invalid',
        path,
      });
    }
  });

  it('reports an expired certificate, and one not valid yet as invalid', () => {
    const after = new Date(issued.material.notAfter.getTime() + 1000);
    expect(failure(() => loadTlsFiles(issued.certPath, issued.keyPath, after)).code).toBe(
      'tls_cert_expired',
    );
    const before = new Date(issued.material.notBefore.getTime() - 1000);
    expect(failure(() => loadTlsFiles(issued.certPath, issued.keyPath, before)).code).toBe(
      'tls_cert_invalid',
    );
  });

  it('reports a key that does not belong to the certificate', () => {
    expect(failure(() => loadTlsFiles(issued.certPath, other.keyPath, NOW))).toEqual({
      code: 'tls_key_mismatch',
      path: other.keyPath,
    });
  });

  it('reports a chain with the server certificate not first as a mismatch', () => {
    const [leafPem, caPem] = issued.material.cert.split(/(?<=-----END CERTIFICATE-----)\n/);
    const reversed = file('reversed.crt', `${caPem}${leafPem}\n`);
    try {
      loadTlsFiles(reversed, issued.keyPath, NOW);
      expect.unreachable();
    } catch (error) {
      expect((error as TlsError).code).toBe('tls_key_mismatch');
      expect((error as TlsError).message).toContain('first');
    }
  });

  it('accepts a certificate file holding only the leaf', () => {
    const [leafPem] = issued.material.cert.split(/(?<=-----END CERTIFICATE-----)\n/);
    const leafOnly = file('leaf-only.crt', `${leafPem}\n`);
    expect(loadTlsFiles(leafOnly, issued.keyPath, NOW).fingerprint256).toBe(
      issued.material.fingerprint256,
    );
  });
});
