import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKDATE_MS, CLOCK_FLOOR, clockIsWrong, clockWrongError } from './clock.js';
import { assertHostName, certificateAddress } from './hostName.js';
import { lanAddresses } from './lanAddresses.js';
import { writeFileAtomic } from './lib/atomicWrite.js';
import type { IssuedPem } from './lib/issuer.js';
import { describeLeaf, loadTlsPair, parseChain, type TlsMaterial } from './loadTlsFiles.js';
import { TlsError } from './TlsError.js';

export interface OutletCertificateOptions {
  /** Where relay.crt and relay.key live, e.g. <dataDir>/tls (created with mode 0700). */
  dir: string;
  /** DNS names of the relay, e.g. ['relay.local']; the first is the subject CN. */
  names: string[];
  /** Default: lanAddresses() plus 127.0.0.1 and ::1, and the name 'localhost'. Given: exactly these. */
  addresses?: string[];
  now?: Date;
  /** Re-issue the leaf when fewer days than this remain (default 30). */
  renewBeforeDays?: number;
  /** Leaf validity in days, at most 397 (default 397). */
  leafDays?: number;
  /** Where ca.crt and ca.key live (default `dir`). */
  caDir?: string;
  /**
   * A `now` before this is a wrong clock: nothing is issued (tls_clock_wrong). Default: this
   * release's date. Lower it only to make certificates dated in the past, e.g. in tests.
   */
  clockFloor?: Date;
}

export type IssueReason =
  | 'missing'
  | 'damaged'
  | 'expiring'
  | 'addresses_changed'
  | 'names_changed'
  | 'ca_changed'
  | 'not_yet_valid';

export interface OutletCertificate {
  certPath: string;
  keyPath: string;
  caCertPath: string;
  material: TlsMaterial;
  /** Why a new leaf was issued this call, or null when the existing one was kept. */
  issued: null | IssueReason;
}

const DAY_MS = 86_400_000;
/** The most any browser accepts for a TLS server certificate (Apple and Chrome: 398 days). */
export const MAX_LEAF_DAYS = 397;
const CA_DAYS = 3653;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

interface LoadedCa {
  certPem: string;
  keyPem: string;
  certificate: X509Certificate;
}

/**
 * Creates the outlet CA once, then issues the relay's leaf when it is missing, has fewer than
 * `renewBeforeDays` left, has not started yet, or its SANs differ from names + addresses. The CA
 * key never leaves `caDir`; on POSIX a CA key readable by group or others is refused
 * (tls_ca_key_permissions). With a clock before `clockFloor` nothing is issued
 * (tls_clock_wrong): a CA dated 2001 would have expired for good once the clock is set right.
 */
export async function ensureOutletCertificate(
  options: OutletCertificateOptions,
): Promise<OutletCertificate> {
  const now = options.now ?? new Date();
  const clockFloor = options.clockFloor ?? CLOCK_FLOOR;
  const renewBeforeDays = options.renewBeforeDays ?? 30;
  const leafDays = options.leafDays ?? MAX_LEAF_DAYS;
  if (!(leafDays > 0 && leafDays <= MAX_LEAF_DAYS)) {
    throw new RangeError(`leafDays must be within 1..${MAX_LEAF_DAYS}, got ${leafDays}`);
  }
  // Otherwise every call would find the fresh leaf, which starts BACKDATE_MS in the past,
  // already "expiring" and issue another.
  const freshDaysLeft = leafDays - BACKDATE_MS / DAY_MS;
  if (!(renewBeforeDays >= 0 && renewBeforeDays < freshDaysLeft)) {
    throw new RangeError(
      `renewBeforeDays must be within 0..${Math.ceil(freshDaysLeft) - 1}, got ${renewBeforeDays}`,
    );
  }
  const byDefault = options.addresses === undefined;
  const names = unique([...options.names, ...(byDefault ? ['localhost'] : [])].map(hostName));
  const addresses = unique(
    (options.addresses ?? [...lanAddresses(), '127.0.0.1', '::1']).map(certificateAddress),
  );
  if (names.length === 0 && addresses.length === 0) {
    throw new TlsError('tls_invalid_name', 'the certificate needs at least one name or address');
  }

  const dir = resolve(options.dir);
  const caDir = resolve(options.caDir ?? dir);
  // A relay may check at start, on a timer and on an address change at once: one at a time per
  // CA directory, or two callers could each create a CA.
  return serialized(caDir, () =>
    ensureIn(dir, caDir, { names, addresses }, now, clockFloor, renewBeforeDays, leafDays),
  );
}

async function ensureIn(
  dir: string,
  caDir: string,
  wanted: { names: string[]; addresses: string[] },
  now: Date,
  clockFloor: Date,
  renewBeforeDays: number,
  leafDays: number,
): Promise<OutletCertificate> {
  const { names, addresses } = wanted;
  const certPath = join(dir, 'relay.crt');
  const keyPath = join(dir, 'relay.key');
  const caCertPath = join(caDir, 'ca.crt');
  const caKeyPath = join(caDir, 'ca.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(caDir, { recursive: true, mode: 0o700 });

  const ca = await ensureCertificateAuthority(caCertPath, caKeyPath, now, clockFloor);
  const existing = currentLeaf(certPath, keyPath, now, clockFloor);
  const reason =
    'reason' in existing
      ? existing.reason
      : leafIssueReason(existing.material, ca, wanted, now, clockFloor, renewBeforeDays);
  if (reason === null && 'material' in existing) {
    return { certPath, keyPath, caCertPath, material: existing.material, issued: null };
  }
  if (clockIsWrong(now, clockFloor)) throw clockWrongError(now, clockFloor);

  const { issueServerCertificate } = await import('./lib/issuer.js');
  const leaf = await issueServerCertificate({
    ca,
    commonName: names[0] ?? (addresses[0] as string),
    names,
    addresses,
    now,
    days: leafDays,
  });
  const chain = `${leaf.certPem.trim()}\n${ca.certPem.trim()}\n`;
  // Key first, certificate last: a watcher that reloads on relay.crt finds the matching key there.
  writeFileAtomic(keyPath, leaf.keyPem, KEY_MODE);
  writeFileAtomic(certPath, chain, CERT_MODE);
  const material: TlsMaterial = {
    cert: chain,
    key: leaf.keyPem,
    ...describeLeaf(new X509Certificate(leaf.certPem)),
  };
  return { certPath, keyPath, caCertPath, material, issued: reason ?? 'missing' };
}

async function ensureCertificateAuthority(
  certPath: string,
  keyPath: string,
  now: Date,
  clockFloor: Date,
): Promise<LoadedCa> {
  if (!existsSync(certPath) && !existsSync(keyPath)) {
    if (clockIsWrong(now, clockFloor)) throw clockWrongError(now, clockFloor);
    const { createCertificateAuthority } = await import('./lib/issuer.js');
    const created: IssuedPem = await createCertificateAuthority({
      commonName: caCommonName(),
      now,
      days: CA_DAYS,
    });
    writeFileAtomic(keyPath, created.keyPem, KEY_MODE);
    writeFileAtomic(certPath, created.certPem, CERT_MODE);
    return { ...created, certificate: new X509Certificate(created.certPem) };
  }
  assertPrivateKeyMode(keyPath);
  // A CA made while the clock was ahead has not started yet: leaves can still be issued from it,
  // and the relay tells the operator (re-issuing leaves cannot fix it).
  const material = loadTlsPair(certPath, keyPath, now, { clockFloor, allowNotYetValid: true });
  const certificate = parseChain(material.cert, certPath)[0] as X509Certificate;
  if (!certificate.ca) {
    throw new TlsError(
      'tls_cert_invalid',
      `${certPath} is not a CA certificate (basicConstraints CA:false)`,
      {
        path: certPath,
      },
    );
  }
  return { certPem: certificate.toString(), keyPem: material.key, certificate };
}

/** Whoever can read the CA key can mint certificates every outlet tablet trusts. */
function assertPrivateKeyMode(keyPath: string): void {
  // Windows has no POSIX modes; there the data directory's ACL is what protects the key.
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(keyPath).mode;
  } catch {
    return; // loadTlsFiles reports a missing or unreadable key with its own code
  }
  if ((mode & 0o077) !== 0) {
    throw new TlsError(
      'tls_ca_key_permissions',
      `the CA key ${keyPath} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${keyPath}`,
      { path: keyPath },
    );
  }
}

function currentLeaf(
  certPath: string,
  keyPath: string,
  now: Date,
  clockFloor: Date,
): { material: TlsMaterial } | { reason: IssueReason } {
  try {
    const material = loadTlsPair(certPath, keyPath, now, { clockFloor, allowNotYetValid: true });
    // Issued while the clock was ahead: every device refuses it until then. (A clock before the
    // floor cannot tell, and keeps it.)
    if (!clockIsWrong(now, clockFloor) && material.notBefore.getTime() > now.getTime()) {
      return { reason: 'not_yet_valid' };
    }
    return { material };
  } catch (error) {
    if (!(error instanceof TlsError)) throw error;
    // Our own files: an expired leaf is renewed, a missing or damaged one replaced.
    if (error.code === 'tls_cert_expired') return { reason: 'expiring' };
    const missing = error.code === 'tls_cert_missing' || error.code === 'tls_key_missing';
    return { reason: missing ? 'missing' : 'damaged' };
  }
}

function leafIssueReason(
  material: TlsMaterial,
  ca: LoadedCa,
  wanted: { names: string[]; addresses: string[] },
  now: Date,
  clockFloor: Date,
  renewBeforeDays: number,
): IssueReason | null {
  const leaf = parseChain(material.cert, 'relay.crt')[0] as X509Certificate;
  if (!leaf.checkIssued(ca.certificate) || !leaf.verify(ca.certificate.publicKey))
    return 'ca_changed';
  // A wrong (early) clock: the real time is at least the floor.
  const judged = clockIsWrong(now, clockFloor) ? clockFloor : now;
  // A leaf that already ends with its CA is short only because the CA is: a new one would end
  // there too, so issuing it again on every check would change nothing (the CA must be replaced).
  const endsWithCa = material.notAfter.getTime() >= Date.parse(ca.certificate.validTo);
  if (!endsWithCa && material.notAfter.getTime() - judged.getTime() < renewBeforeDays * DAY_MS) {
    return 'expiring';
  }
  const has = (prefix: string) =>
    material.subjectAltNames.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  if (!sameSet(has('DNS:'), wanted.names)) return 'names_changed';
  if (!sameSet(has('IP:'), wanted.addresses)) return 'addresses_changed';
  return null;
}

function hostName(name: string): string {
  assertHostName(name);
  return name.toLowerCase();
}

/** Differs between two outlets even with the same host name, so their CAs never look alike. */
function caCommonName(): string {
  // A CN holds at most 64 characters.
  return `kitchen-sync outlet CA ${hostname().slice(0, 32)} ${randomBytes(3).toString('hex')}`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((v) => left.has(v));
}

const inFlight = new Map<string, Promise<unknown>>();

function serialized<T>(key: string, run: () => Promise<T>): Promise<T> {
  const next = (inFlight.get(key) ?? Promise.resolve()).then(run);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  inFlight.set(key, settled);
  void settled.then(() => {
    if (inFlight.get(key) === settled) inFlight.delete(key);
  });
  return next;
}
