import { X509Certificate } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { HealthTls } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { ConfigError } from '../lib/configError.js';
import { autoNames } from '../tls/autoNames.js';
import { caDaysLeft, caExpiresSoon, caExpiringAdvice } from '../tls/caExpiring.js';
import { caNotYetValid, caNotYetValidAdvice } from '../tls/caNotYetValid.js';
import { certificateListsName } from '../tls/certificateListsName.js';
import { assertChainUnderCa } from '../tls/chainUnderCa.js';
import { clockIsWrong } from '../tls/clock.js';
import { commonNameOf } from '../tls/commonName.js';
import {
  ensureOutletCertificate,
  lanAddresses,
  loadTlsFiles,
  TlsError,
  type TlsMaterial,
} from '../tls/index.js';
import { parseChain } from '../tls/loadTlsFiles.js';
import { keepRelayKeyPrivate } from '../tls/relayKeyMode.js';
import { tlsDirUnwritable } from '../tls/tlsDirUnwritable.js';

/** Your own certificate files (a company CA), or an outlet CA the relay keeps itself. */
export type RelayTlsOptions =
  | { certFile: string; keyFile: string; caFile?: string }
  | {
      auto: {
        /** Where the outlet CA and the server certificate live. Default `<dataDir>/tls`. */
        dir?: string;
        /** Host names besides `localhost`. Default `<os.hostname()>.local`. */
        names?: string[];
      };
    };

export type TlsSource = 'files' | 'auto';

export type TlsHealth = HealthTls;

export type TlsReloadOutcome =
  | { ok: true; changed: boolean; fingerprint256: string; notAfter: string }
  | { ok: false; code: string; message: string };

export interface TlsControllerOptions {
  tls: RelayTlsOptions;
  dataDir: string;
  logger: Logger;
  now: () => number;
  onReload?: (outcome: TlsReloadOutcome) => void;
  /**
   * How often to look for a changed LAN address (auto mode) and for a certificate that has not
   * started yet now that the clock went back. Default 30 s.
   */
  addressCheckMs?: number;
  /** Auto mode: this machine's LAN addresses (tests give their own). */
  lanAddresses?: () => string[];
}

export interface TlsController {
  readonly source: TlsSource;
  /** Loads (or issues) the pair and installs it on `server`; throws a coded error on bad input. */
  start(server: TlsServer): Promise<void>;
  /** Loads the pair again; a pair that fails keeps the current one (and is logged). */
  reload(): Promise<TlsReloadOutcome>;
  health(): TlsHealth;
  /** The public CA certificate clients must trust, when the relay knows it. */
  caCertificate(): X509Certificate | null;
  /**
   * Whether the certificate served now lists `name` (a device's SNI); true before there is one,
   * so that nothing is blamed on a name then.
   */
  listsName(name: string): boolean;
  close(): void;
}

const DAY_MS = 86_400_000;
const WARN_DAYS = 30;
// Editors and renewal tools write a temp file and rename it, often cert then key: one reload.
const WATCH_DEBOUNCE_MS = 300;
// Auto mode renews here; files mode re-reads here too, in case a file event was missed.
const CHECK_INTERVAL_MS = 6 * 3_600_000;
// A new DHCP lease must not leave devices that use the new address on a certificate without
// it for hours, nor NTP setting back a clock that was ahead leave them on a certificate that has
// not started: reading the interfaces is one cheap call, the dates are in memory.
const ADDRESS_CHECK_MS = 30_000;

interface Loaded {
  material: TlsMaterial;
  ca: X509Certificate | null;
}

interface Installed extends Loaded {
  /** The served certificate, parsed once: every failed handshake's name is checked against it. */
  leaf: X509Certificate;
}

function readCaCertificate(path: string): X509Certificate {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      missing ? 'tls_ca_missing' : 'tls_ca_unreadable',
      `cannot read the CA certificate ${path}`,
    );
  }
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(pem);
  } catch {
    throw new ConfigError('tls_ca_invalid', `${path} is not a PEM certificate`);
  }
  if (!ca.ca) throw new ConfigError('tls_ca_invalid', `${path} is not a CA certificate`);
  return ca;
}

export function createTlsController(options: TlsControllerOptions): TlsController {
  const { tls, logger, now } = options;
  const source: TlsSource = 'auto' in tls ? 'auto' : 'files';
  const auto = 'auto' in tls ? autoNames(tls.auto.names) : undefined;
  if (auto?.invalidMachineName) {
    logger.warn(
      { hostname: auto.invalidMachineName },
      'this machine name is not a valid host name; use --name',
    );
  }
  const names = auto?.names ?? [];
  const autoDir = 'auto' in tls ? resolve(tls.auto.dir ?? join(options.dataDir, 'tls')) : '';
  let server: TlsServer | undefined;
  let current: Installed | undefined;
  let lastWarnMs = Number.NEGATIVE_INFINITY;
  let lastCaErrorMs = Number.NEGATIVE_INFINITY;
  let lastCaWarnMs = Number.NEGATIVE_INFINITY;
  // Auto mode: a certificate was due while the clock was wrong; issue it once the clock is right.
  let issueWhenClockRight = false;
  // The certificate already found not valid yet, so the check acts once per certificate.
  let notYetValidSeen: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;
  let addressTimer: NodeJS.Timeout | undefined;
  const machineAddresses = options.lanAddresses ?? lanAddresses;
  const addressKey = () => [...machineAddresses()].sort().join(' ');
  const disposers: Array<() => void> = [];

  async function load(): Promise<Loaded> {
    const date = new Date(now());
    if ('auto' in tls) {
      keepRelayKeyPrivate(autoDir, logger);
      const addresses = [...machineAddresses(), '127.0.0.1', '::1'];
      let result: Awaited<ReturnType<typeof ensureOutletCertificate>>;
      try {
        result = await ensureOutletCertificate({ dir: autoDir, names, addresses, now: date });
      } catch (error) {
        const unwritable = tlsDirUnwritable(error, autoDir);
        if (unwritable) {
          if (current) throw unwritable; // a reload: logged, the current certificate stays
          // At start, a certificate that still works beats none; renewal is tried again on the
          // next check, as while running. Without one, the relay refuses to start, naming the
          // TLS dir (not the data dir: its disk may be fine).
          const existing = existingAutoPair(date);
          if (!existing) throw unwritable;
          logger.warn(
            { code: unwritable.code, cause: unwritable.details.cause, dir: autoDir },
            `${unwritable.message}; serving the existing certificate (until ${existing.material.notAfter.toISOString()}) and trying again every ${CHECK_INTERVAL_MS / 3_600_000} h`,
          );
          return existing;
        }
        if (!(error instanceof TlsError && error.code === 'tls_clock_wrong')) throw error;
        issueWhenClockRight = true;
        if (current) throw error; // a reload: the current certificate stays
        // At start, a certificate that still works beats none: devices whose clock is right
        // accept it. Without one, the relay refuses to start with this error.
        const existing = existingAutoPair(date);
        if (!existing) throw error;
        logger.error(
          { err: error, code: error.code },
          "a new server certificate is due but this machine's clock is wrong: serving the existing one until the clock is set",
        );
        return existing;
      }
      issueWhenClockRight = false;
      if (result.issued) {
        logger.info(
          { reason: result.issued, notAfter: result.material.notAfter.toISOString(), names },
          'issued a new server certificate',
        );
      }
      return { material: result.material, ca: readCaCertificate(result.caCertPath) };
    }
    const material = loadTlsFiles(tls.certFile, tls.keyFile, date);
    if (!tls.caFile) return { material, ca: null };
    const ca = readCaCertificate(tls.caFile);
    // The CA /setup hands out must be one that makes devices trust this very certificate.
    assertChainUnderCa(
      parseChain(material.cert, tls.certFile),
      ca,
      {
        certPath: tls.certFile,
        caPath: tls.caFile,
      },
      date,
    );
    return { material, ca };
  }

  function existingAutoPair(date: Date): Loaded | undefined {
    try {
      return {
        material: loadTlsFiles(join(autoDir, 'relay.crt'), join(autoDir, 'relay.key'), date),
        ca: readCaCertificate(join(autoDir, 'ca.crt')),
      };
    } catch {
      return undefined;
    }
  }

  function install(next: Loaded) {
    // New handshakes get the new pair; open connections keep theirs and are not dropped.
    // The device picks the cipher suite (Node's server would impose its own order, AES-256-GCM
    // first, and resets to it on every setSecureContext without this): a tablet with AES
    // hardware asks for AES-128-GCM, one without it for ChaCha20, the cheapest for each.
    server?.setSecureContext({
      cert: next.material.cert,
      key: next.material.key,
      honorCipherOrder: false,
    });
    // X509Certificate reads the first certificate of the PEM chain: the leaf.
    current = { ...next, leaf: new X509Certificate(next.material.cert) };
  }

  function daysLeft(material: TlsMaterial): number {
    return Math.floor((material.notAfter.getTime() - now()) / DAY_MS);
  }

  function warnIfExpiring() {
    if (!current) return;
    const { material, ca } = current;
    const msLeft = material.notAfter.getTime() - now();
    // The exact time, not the whole days: auto mode renews under 30 days, so with 30.5 days
    // left nothing was due and nothing failed.
    if (msLeft >= WARN_DAYS * DAY_MS || now() - lastWarnMs < DAY_MS) return;
    // A leaf that ends with its CA: renewal cannot help, and the CA warning says what does.
    const endsWithCa =
      source === 'auto' && ca !== null && material.notAfter.getTime() >= Date.parse(ca.validTo);
    if (endsWithCa && msLeft > 0) return;
    lastWarnMs = now();
    const left = daysLeft(material);
    if (msLeft <= 0) {
      logger.error(
        {
          code: 'tls_certificate_expired',
          notAfter: material.notAfter.toISOString(),
          source,
        },
        source === 'auto'
          ? 'the TLS certificate has expired and could not be renewed (see the errors above): devices refuse the relay; restart it, or run `kitchen-sync-relay cert`'
          : 'the TLS certificate has expired: devices refuse the relay. Replace the files (the relay picks them up, or send SIGHUP)',
      );
      return;
    }
    logger.warn(
      {
        code: 'tls_certificate_expiring',
        notAfter: material.notAfter.toISOString(),
        daysLeft: left,
        source,
      },
      source === 'auto'
        ? 'the TLS certificate expires soon and could not be renewed (see the errors above)'
        : 'the TLS certificate expires soon: renew the files (the relay picks them up)',
    );
  }

  /** The CA ends within 30 days: only a new CA on every device helps. Said at most once a day. */
  function warnIfCaExpiring() {
    const ca = current?.ca;
    const at = now();
    if (!ca || !caExpiresSoon(ca, new Date(at)) || at - lastCaWarnMs < DAY_MS) return;
    lastCaWarnMs = at;
    logger.warn(
      {
        code: 'tls_ca_expiring',
        caNotAfter: new Date(ca.validTo).toISOString(),
        caDaysLeft: caDaysLeft(ca, new Date(at)),
      },
      caExpiringAdvice(ca, 'auto' in tls ? autoDir : undefined),
    );
  }

  /** Leaves issued from it cannot help, so the operator must act: said at most once a day. */
  function errorIfCaNotYetValid() {
    const ca = current?.ca;
    const at = now();
    if (!ca || !caNotYetValid(ca, new Date(at)) || at - lastCaErrorMs < DAY_MS) return;
    lastCaErrorMs = at;
    const from = new Date(ca.validFrom).toISOString();
    logger.error(
      { code: 'tls_ca_not_yet_valid', caNotBefore: from },
      'auto' in tls
        ? caNotYetValidAdvice(ca, autoDir)
        : `the CA certificate ${tls.caFile} is valid only from ${from}: devices refuse certificates under it until then (was it made while a clock was ahead?)`,
    );
  }

  function reload(): Promise<TlsReloadOutcome> {
    const run = queue.then(async (): Promise<TlsReloadOutcome> => {
      let outcome: TlsReloadOutcome;
      try {
        const next = await load();
        const changed =
          next.material.cert !== current?.material.cert ||
          next.material.key !== current?.material.key;
        if (changed) {
          install(next);
          logger.info(
            {
              fingerprint256: next.material.fingerprint256,
              notAfter: next.material.notAfter.toISOString(),
            },
            'TLS certificate reloaded',
          );
        } else if (current) current = { ...current, ca: next.ca };
        outcome = {
          ok: true,
          changed,
          fingerprint256: next.material.fingerprint256,
          notAfter: next.material.notAfter.toISOString(),
        };
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'tls_reload_failed');
        logger.error(
          { err: error, code },
          'TLS certificate reload failed; the current certificate stays in use',
        );
        outcome = { ok: false, code, message: (error as Error).message };
      }
      warnIfExpiring();
      warnIfCaExpiring();
      errorIfCaNotYetValid();
      options.onReload?.(outcome);
      return outcome;
    });
    queue = run;
    return run;
  }

  function watchFiles(files: string[]) {
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const dir = dirname(resolve(file));
      byDir.set(dir, (byDir.get(dir) ?? new Set()).add(basename(file)));
    }
    const schedule = () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void reload(), WATCH_DEBOUNCE_MS);
      debounce.unref();
    };
    for (const [dir, watched] of byDir) {
      try {
        // The directory, not the files: a rename over a file would end a file watch.
        const watcher = watch(dir, { persistent: false }, (_event, filename) => {
          const name = filename?.toString();
          // `..data` is how mounted Kubernetes secrets swap their files.
          if (name && !watched.has(name) && !name.startsWith('..')) return;
          schedule();
        });
        watcher.on('error', (error) =>
          logger.warn(
            { err: error, dir },
            'stopped watching the TLS files; send SIGHUP after renewals',
          ),
        );
        disposers.push(() => watcher.close());
      } catch (error) {
        logger.warn({ err: error, dir }, 'cannot watch the TLS files; send SIGHUP after renewals');
      }
    }
  }

  function startQuickChecks() {
    let seen = 'auto' in tls ? addressKey() : '';
    addressTimer = setInterval(() => {
      let due = false;
      if ('auto' in tls) {
        const key = addressKey();
        if (key !== seen) {
          seen = key;
          logger.info({ addresses: key ? key.split(' ') : [] }, "this machine's addresses changed");
          due = true;
        }
      }
      if (checkClock()) due = true;
      if (due) void reload();
    }, options.addressCheckMs ?? ADDRESS_CHECK_MS);
    addressTimer.unref();
  }

  /** True when the certificate must be issued now that the clock allows it. Reads no file. */
  function checkClock(): boolean {
    const at = now();
    if (!current || clockIsWrong(new Date(at))) return false;
    errorIfCaNotYetValid();
    let due = false;
    if (issueWhenClockRight) {
      issueWhenClockRight = false;
      logger.info("this machine's clock looks right now: issuing the certificate that was due");
      due = true;
    }
    const { notBefore, fingerprint256 } = current.material;
    if (notBefore.getTime() > at && notYetValidSeen !== fingerprint256) {
      // Issued while the clock was ahead (it looked expired then); NTP has set it back, and
      // every device refuses this certificate until notBefore.
      notYetValidSeen = fingerprint256;
      const from = notBefore.toISOString();
      if ('auto' in tls) {
        logger.warn(
          { notBefore: from },
          'the TLS certificate is not valid yet (issued while the clock was ahead): issuing a new one',
        );
        due = true;
      } else {
        logger.warn(
          { notBefore: from, certFile: tls.certFile },
          `the TLS certificate is not valid until ${from}: devices refuse it until then; replace the files (was it issued while a clock was ahead?)`,
        );
      }
    }
    return due;
  }

  return {
    source,
    async start(tlsServer) {
      server = tlsServer;
      install(await load());
      warnIfExpiring();
      warnIfCaExpiring();
      const started = new Date(now());
      if (clockIsWrong(started)) {
        logger.warn(
          { code: 'tls_clock_wrong', now: started.toISOString() },
          `this machine's clock is before this relay's release: set the date and time${'auto' in tls ? ' (no certificate is issued until then)' : ''}`,
        );
      }
      errorIfCaNotYetValid();
      startQuickChecks();
      if (!('auto' in tls)) {
        watchFiles([tls.certFile, tls.keyFile, ...(tls.caFile ? [tls.caFile] : [])]);
      }
      interval = setInterval(() => void reload(), CHECK_INTERVAL_MS);
      interval.unref();
    },
    reload,
    health() {
      if (!current) return { enabled: false };
      const { material } = current;
      const expired = material.notAfter.getTime() <= now();
      // A company's certificate may outlive its CA; devices refuse both the same way.
      const caExpired = current.ca !== null && Date.parse(current.ca.validTo) <= now();
      return {
        enabled: true,
        source,
        ...(expired
          ? { ok: false, error: 'certificate_expired' as const }
          : caExpired
            ? { ok: false, error: 'ca_expired' as const }
            : { ok: true }),
        notAfter: material.notAfter.toISOString(),
        daysLeft: daysLeft(material),
        subjectAltNames: material.subjectAltNames,
        fingerprint256: material.fingerprint256,
        ...(current.ca
          ? {
              caFingerprint256: current.ca.fingerprint256,
              caName: commonNameOf(current.ca),
              caNotAfter: new Date(current.ca.validTo).toISOString(),
              caDaysLeft: caDaysLeft(current.ca, new Date(now())),
            }
          : {}),
      };
    },
    caCertificate: () => current?.ca ?? null,
    listsName: (name) => !current || certificateListsName(current.leaf, name),
    close() {
      clearTimeout(debounce);
      clearInterval(interval);
      clearInterval(addressTimer);
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}
