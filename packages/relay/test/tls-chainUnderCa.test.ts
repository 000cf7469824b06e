import 'reflect-metadata/lite';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertChainUnderCa, chainUnderCa } from '../src/tls/chainUnderCa.js';
import { CLOCK_FLOOR } from '../src/tls/clock.js';
import { TlsError } from '../src/tls/index.js';
import { PLAUSIBLE_NOW } from './tlsHelpers.js';

const crypto = webcrypto as unknown as Crypto;
const DAY = 86_400_000;
const NOW = PLAUSIBLE_NOW;
const KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as Algorithm;

interface Made {
  certificate: X509Certificate;
  name: string;
  keys: CryptoKeyPair;
}

const keyPair = async () =>
  (await crypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as CryptoKeyPair;

/**
 * A certificate named `name`, signed by `issuer` (self-signed without one), with no key
 * identifiers: then checkIssued matches on names alone, as with some companies' tools.
 */
async function make(
  name: string,
  {
    issuer,
    ca = true,
    notBefore = new Date(NOW.getTime() - DAY),
    notAfter = new Date(NOW.getTime() + 365 * DAY),
  }: { issuer?: Made; ca?: boolean; notBefore?: Date; notAfter?: Date } = {},
): Promise<Made> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '01',
      subject: name,
      issuer: issuer?.name ?? name,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: (issuer?.keys ?? keys).privateKey,
      extensions: [new x509.BasicConstraintsExtension(ca, undefined, true)],
    },
    crypto,
  );
  return { certificate: new X509Certificate(certificate.toString('pem')), name, keys };
}

const PATHS = { certPath: 'relay.crt', caPath: 'ca.crt' };

function codeOf(run: () => void): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof TlsError ? error.code : `not a TlsError: ${error}`;
  }
  return undefined;
}

let root: Made;
let intermediate: Made;
let leaf: Made;
let direct: Made;
let stranger: Made;
let impostor: Made;

beforeAll(async () => {
  root = await make('CN=Example Root CA');
  intermediate = await make('CN=Example Issuing CA', { issuer: root });
  leaf = await make('CN=relay.example.com', { issuer: intermediate, ca: false });
  direct = await make('CN=relay2.example.com', { issuer: root, ca: false });
  stranger = await make('CN=Someone Else CA');
  // Same name as the issuing CA, another key: names match, the signature does not.
  impostor = await make('CN=Example Issuing CA');
});

describe('chainUnderCa', () => {
  it('accepts the CA that signed the leaf, with or without itself in the chain', () => {
    expect(chainUnderCa([direct.certificate], root.certificate)).toBe(true);
    expect(chainUnderCa([direct.certificate, root.certificate], root.certificate)).toBe(true);
  });

  it('accepts a root that signed an intermediate of the chain, and the intermediate itself', () => {
    const chain = [leaf.certificate, intermediate.certificate];
    expect(chainUnderCa(chain, root.certificate)).toBe(true);
    expect(chainUnderCa(chain, intermediate.certificate)).toBe(true);
  });

  it('accepts the chain ending in the CA itself', () => {
    const chain = [leaf.certificate, intermediate.certificate, root.certificate];
    expect(chainUnderCa(chain, root.certificate)).toBe(true);
  });

  it('refuses a CA that signed nothing in the chain', () => {
    expect(chainUnderCa([direct.certificate], stranger.certificate)).toBe(false);
    expect(chainUnderCa([leaf.certificate], root.certificate)).toBe(false);
    expect(chainUnderCa([leaf.certificate, intermediate.certificate], stranger.certificate)).toBe(
      false,
    );
  });

  it('refuses a CA with the issuer name but another key: the signature decides', () => {
    expect(leaf.certificate.checkIssued(impostor.certificate)).toBe(true);
    expect(chainUnderCa([leaf.certificate], impostor.certificate)).toBe(false);
  });
});

describe('assertChainUnderCa', () => {
  it('passes a chain under a CA in its validity', () => {
    expect(
      codeOf(() => assertChainUnderCa([direct.certificate], root.certificate, PATHS, NOW)),
    ).toBe(undefined);
  });

  it('refuses a CA that did not issue the chain with tls_ca_mismatch, naming both', () => {
    let message = '';
    try {
      assertChainUnderCa([direct.certificate], stranger.certificate, PATHS, NOW);
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ code: 'tls_ca_mismatch', details: { path: 'ca.crt' } });
    }
    expect(message).toContain('Someone Else CA');
    expect(message).toContain('Example Root CA');
  });

  it('refuses an expired CA with tls_ca_expired, even one that issued the chain', async () => {
    const old = await make('CN=Old CA', {
      notBefore: new Date(NOW.getTime() - 400 * DAY),
      notAfter: new Date(NOW.getTime() - DAY),
    });
    const under = await make('CN=relay', { issuer: old, ca: false });
    expect(codeOf(() => assertChainUnderCa([under.certificate], old.certificate, PATHS, NOW))).toBe(
      'tls_ca_expired',
    );
  });

  it('leaves a CA that has not started yet to the caller (caNotYetValid logs it)', async () => {
    const early = await make('CN=Early CA', { notBefore: new Date(NOW.getTime() + DAY) });
    const under = await make('CN=relay', { issuer: early, ca: false });
    expect(
      codeOf(() => assertChainUnderCa([under.certificate], early.certificate, PATHS, NOW)),
    ).toBe(undefined);
  });

  it('judges expiry against the clock floor when the clock is before this release', async () => {
    const endsAfterFloor = await make('CN=Floor CA', {
      notBefore: new Date(CLOCK_FLOOR.getTime() - 400 * DAY),
      notAfter: new Date(CLOCK_FLOOR.getTime() - DAY),
    });
    const under = await make('CN=relay', { issuer: endsAfterFloor, ca: false });
    // 2001 would find it valid; the real time is at least the floor, where it has expired.
    const wrongClock = new Date('2001-01-01T00:00:00Z');
    expect(
      codeOf(() =>
        assertChainUnderCa([under.certificate], endsAfterFloor.certificate, PATHS, wrongClock),
      ),
    ).toBe('tls_ca_expired');
  });
});
