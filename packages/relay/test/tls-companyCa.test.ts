import 'reflect-metadata/lite';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureOutletCertificate } from '../src/tls/index.js';
import { PLAUSIBLE_NOW, tlsFailure } from './tlsHelpers.js';

const crypto = webcrypto as unknown as Crypto;
const NOW = PLAUSIBLE_NOW;
const DAY = 86_400_000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-tls-company-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A CA as a company's own PKI might hand over: other key types, other validity. */
async function writeCa(
  caDir: string,
  algorithm: RsaHashedKeyGenParams | EcKeyGenParams | { name: 'Ed25519' },
  signingAlgorithm: Algorithm,
  { ca = true, notAfter = new Date(NOW.getTime() + 3650 * DAY) } = {},
): Promise<void> {
  const keys = (await crypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=Example Corp Issuing CA',
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter,
      signingAlgorithm,
      keys,
      extensions: [new x509.BasicConstraintsExtension(ca, undefined, true)],
    },
    crypto,
  );
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(caDir, 'ca.crt'), certificate.toString('pem'));
  writeFileSync(
    join(caDir, 'ca.key'),
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
      format: 'pem',
      type: 'pkcs8',
    }),
    { mode: 0o600 },
  );
}

const options = (caDir: string) => ({
  dir: join(dir, 'tls'),
  caDir,
  names: ['relay.local'],
  addresses: ['192.168.1.10'],
  now: NOW,
});

describe("a company's own CA in caDir", () => {
  it.each([
    [
      'RSA 2048',
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      { name: 'RSASSA-PKCS1-v1_5' },
    ],
    ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }],
  ] as const)('issues the relay certificate from a %s CA', async (_kind, algorithm, signing) => {
    const caDir = join(dir, 'corp');
    await writeCa(caDir, algorithm as EcKeyGenParams, signing as Algorithm);
    const result = await ensureOutletCertificate(options(caDir));
    const leaf = new X509Certificate(result.material.cert);
    const ca = new X509Certificate(readFileSync(join(caDir, 'ca.crt')));
    expect(result.issued).toBe('missing');
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.issuer).toBe('CN=Example Corp Issuing CA');
  });

  it('refuses a CA key type it cannot sign with', async () => {
    const caDir = join(dir, 'ed');
    await writeCa(caDir, { name: 'Ed25519' }, { name: 'Ed25519' });
    expect(await tlsFailure(() => ensureOutletCertificate(options(caDir)))).toBe('tls_key_invalid');
  });

  it('refuses a ca.crt that is not a CA', async () => {
    const caDir = join(dir, 'leafy');
    await writeCa(
      caDir,
      { name: 'ECDSA', namedCurve: 'P-256' },
      { name: 'ECDSA', hash: 'SHA-256' } as Algorithm,
      {
        ca: false,
      },
    );
    expect(await tlsFailure(() => ensureOutletCertificate(options(caDir)))).toBe(
      'tls_cert_invalid',
    );
  });

  it('refuses an expired CA instead of making a new one', async () => {
    const caDir = join(dir, 'old');
    await writeCa(
      caDir,
      { name: 'ECDSA', namedCurve: 'P-256' },
      { name: 'ECDSA', hash: 'SHA-256' } as Algorithm,
      {
        notAfter: new Date(NOW.getTime() - 1000),
      },
    );
    expect(await tlsFailure(() => ensureOutletCertificate(options(caDir)))).toBe(
      'tls_cert_expired',
    );
  });

  it('refuses a CA key that does not match its certificate', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeCa(a, { name: 'ECDSA', namedCurve: 'P-256' }, {
      name: 'ECDSA',
      hash: 'SHA-256',
    } as Algorithm);
    await writeCa(b, { name: 'ECDSA', namedCurve: 'P-256' }, {
      name: 'ECDSA',
      hash: 'SHA-256',
    } as Algorithm);
    copyFileSync(join(b, 'ca.key'), join(a, 'ca.key'));
    expect(await tlsFailure(() => ensureOutletCertificate(options(a)))).toBe('tls_key_mismatch');
  });
});
