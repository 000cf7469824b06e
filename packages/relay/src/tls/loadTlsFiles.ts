import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLOCK_FLOOR, clockIsWrong } from './clock.js';
import { subjectAltNames } from './lib/subjectAltNames.js';
import { TlsError } from './TlsError.js';

export interface TlsMaterial {
  /** PEM chain, leaf first. */
  cert: string;
  /** PEM private key of the leaf. */
  key: string;
  notAfter: Date;
  notBefore: Date;
  /** 'DNS:name' | 'IP:address' entries of the leaf. */
  subjectAltNames: string[];
  /** SHA-256 fingerprint of the leaf, colon-separated hex as Node prints it. */
  fingerprint256: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Reads and checks user-given files so that a bad file stops the relay at start with a clear
 * code: missing, unreadable, not PEM / corrupt, expired (against `now`), key not matching.
 * With a clock before this release (CLOCK_FLOOR), which must be wrong, a certificate that seems not
 * to have started yet is accepted and expiry is judged against the floor.
 */
export function loadTlsFiles(
  certPath: string,
  keyPath: string,
  now: Date = new Date(),
): TlsMaterial {
  return loadTlsPair(certPath, keyPath, now, { clockFloor: CLOCK_FLOOR, allowNotYetValid: false });
}

export interface DateChecks {
  /** A `now` before this is a wrong clock (see clock.ts). */
  clockFloor: Date;
  /** Load a certificate that has not started yet; the caller decides what that means. */
  allowNotYetValid: boolean;
}

/** loadTlsFiles with the date checks chosen by the caller. */
export function loadTlsPair(
  certPath: string,
  keyPath: string,
  now: Date,
  checks: DateChecks,
): TlsMaterial {
  const cert = readText(certPath, 'cert');
  const key = readText(keyPath, 'key');
  const chain = parseChain(cert, certPath);
  const leaf = chain[0] as X509Certificate;
  ensureDates(leaf, certPath, now, checks);
  const privateKey = parseKey(key, keyPath);
  if (!leaf.checkPrivateKey(privateKey)) {
    const matchIndex = chain.findIndex((c) => c.checkPrivateKey(privateKey));
    throw new TlsError(
      'tls_key_mismatch',
      matchIndex > 0
        ? `the key ${keyPath} belongs to certificate #${matchIndex + 1} in ${certPath}; put the server's certificate first`
        : `the key ${keyPath} does not belong to the certificate ${certPath}`,
      { path: keyPath },
    );
  }
  return { cert, key, ...describeLeaf(leaf) };
}

/**
 * tls_cert_expired when `notAfter` has passed, tls_cert_invalid when `notBefore` has not come
 * (unless allowed). A clock before the floor is wrong, but the real time is at least the floor:
 * expiry is judged against the floor, and whether the certificate has started cannot be judged
 * at all, so a good certificate is not refused because a dead CMOS battery says 2001.
 */
function ensureDates(
  certificate: X509Certificate,
  path: string,
  now: Date,
  { clockFloor, allowNotYetValid }: DateChecks,
): void {
  const clockWrong = clockIsWrong(now, clockFloor);
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= (clockWrong ? clockFloor : now).getTime()) {
    throw new TlsError(
      'tls_cert_expired',
      `the certificate ${path} expired on ${notAfter.toISOString()}`,
      {
        path,
      },
    );
  }
  if (!clockWrong && !allowNotYetValid && notBefore.getTime() > now.getTime()) {
    throw new TlsError(
      'tls_cert_invalid',
      `the certificate ${path} is valid only from ${notBefore.toISOString()}; is this machine's clock right?`,
      { path },
    );
  }
}

/** The facts about a leaf certificate that TlsMaterial carries besides the PEM texts. */
export function describeLeaf(leaf: X509Certificate): Omit<TlsMaterial, 'cert' | 'key'> {
  return {
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    subjectAltNames: subjectAltNames(leaf),
    fingerprint256: leaf.fingerprint256,
  };
}

/** Every certificate of a PEM file, in file order; tls_cert_invalid when there is none or one is corrupt. */
export function parseChain(pem: string, path: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE);
  if (!blocks) {
    throw new TlsError(
      'tls_cert_invalid',
      `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      {
        path,
      },
    );
  }
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsError(
        'tls_cert_invalid',
        `certificate #${index + 1} in ${path} is corrupt`,
        { path },
        error,
      );
    }
  });
}

/** A PEM private key; tls_key_invalid for anything else, including a key that needs a passphrase. */
export function parseKey(pem: string, path: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new TlsError('tls_key_invalid', `${path} holds no PEM private key`, { path });
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new TlsError(
      'tls_key_invalid',
      `the private key in ${path} is corrupt or protected by a passphrase (not supported)`,
      { path },
      error,
    );
  }
}

function readText(path: string, kind: 'cert' | 'key'): string {
  const what = kind === 'cert' ? 'certificate' : 'key';
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') {
      throw new TlsError(
        `tls_${kind}_missing`,
        `the ${what} file ${path} does not exist`,
        { path },
        error,
      );
    }
    throw new TlsError(
      `tls_${kind}_unreadable`,
      `the ${what} file ${path} cannot be read (${errno ?? (error as Error).message})`,
      { path },
      error,
    );
  }
}
