import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { parseArgs } from 'node:util';
import type { HealthResponse } from '@kitchen-sync/protocol';
import { HELP } from '../cliOptions.js';
import { centralLines, UPLOAD_LAG_WARNING_SECONDS } from './centralLines.js';
import { cliLanguage } from './cliLanguage.js';
import { executableLogFile, isExecutable } from './defaults.js';
import { lastLoggedProblem } from './lastLoggedProblem.js';
import { localTime } from './localTime.js';
import { parseFlags } from './parseFlags.js';
import { boundSetupUrls, isLoopback } from './setupUrls.js';
import { STATUS_TEXTS_EN, type StatusTexts } from './statusTexts.js';
import { STATUS_TEXTS_ID } from './statusTextsId.js';

export interface StatusReport {
  running: boolean;
  text: string;
}

export interface DescribeOptions {
  /** The language of the lines. Default English. */
  texts?: StatusTexts;
  /**
   * Where a tablet opens /setup: the port asked, on the address the relay is bound to (this
   * machine's LAN addresses when it listens on every interface).
   */
  setupAt?: (url: string, host: string | undefined) => string[];
  /**
   * Central further behind than this (seconds), or its downlink without an answered poll for
   * longer, is a warning. Default 15 min.
   */
  uploadLagWarningSeconds?: number;
}

/** `/health` in words for the person at the cashier's PC (what CHECK_KITCHEN_SYNC.bat shows). */
export function describeHealth(
  url: string,
  health: HealthResponse,
  {
    texts = STATUS_TEXTS_EN,
    setupAt = boundSetupUrls,
    uploadLagWarningSeconds = UPLOAD_LAG_WARNING_SECONDS,
  }: DescribeOptions = {},
): StatusReport {
  // RUNNING is about this relay serving the outlet; central being behind is said below it
  // (and leaves the exit code 0: restarting the relay would not bring central back).
  const storageOk = !health.storage || health.storage.ok;
  // An expired certificate: every tablet refuses the relay, however well it runs otherwise.
  const certificateOk = !health.tls?.enabled || health.tls.ok !== false;
  const running = health.status === 'ok' && storageOk && certificateOk;
  const lines = [
    running ? texts.running(url) : texts.problem(url),
    texts.versionUp(health.version, texts.duration(health.uptime)),
    texts.devices(
      health.clients.pos,
      health.clients.kitchen,
      health.clients.monitor,
      // Absent from a relay before the board role.
      health.clients.board ?? 0,
    ),
    texts.logPosition(health.head_seq, health.store_engine ?? health.store),
    ...(health.served_outlets ? [texts.servedOutlets(health.served_outlets)] : []),
  ];
  if (health.storage && !health.storage.ok) {
    const since = localTime(health.storage.since);
    lines.push(
      health.storage.error === 'storage_full'
        ? texts.diskFull(since)
        : health.storage.error === 'storage_readonly'
          ? texts.diskReadOnly(since)
          : health.storage.error === 'storage_failed'
            ? texts.diskFailing(since)
            : texts.storageFailing(since),
    );
  } else {
    lines.push(texts.storageOk);
  }
  // A warning only: orders flow without the log file, restarting would not bring it back.
  if (health.log && !health.log.ok) {
    lines.push(
      texts.logFileFailing(localTime(health.log.since), health.log.cause, health.log.dropped),
    );
  }
  if (health.refused_devices && health.refused_devices.length > 0) {
    lines.push(texts.refusedDevices(health.refused_devices));
  }
  // Tablets on the Wi-Fi cannot reach it: the person fixing "no orders" must hear it first.
  if (health.host !== undefined && isLoopback(health.host)) {
    lines.push(texts.loopbackOnly(health.host));
  }
  if (health.clock) {
    lines.push(texts.clockOff(health.clock, texts.duration(Math.abs(health.clock.offsetSeconds))));
  }
  for (const stray of health.outlets_without_orders?.connected ?? []) {
    lines.push(texts.outletWithoutOrders(stray, health.outlets_without_orders!.logged));
  }
  if (health.unreadable_rows) {
    const { count, since } = health.unreadable_rows;
    lines.push(texts.unreadableRows(count, localTime(since)));
  }
  lines.push(...centralLines(health, texts, uploadLagWarningSeconds));
  if (health.tls?.enabled) {
    const { caNotAfter, caDaysLeft } = health.tls;
    lines.push(
      health.tls.error === 'ca_expired' && caNotAfter !== undefined
        ? texts.caExpired(localTime(caNotAfter), health.tls.source)
        : health.tls.ok === false
          ? texts.certificateExpired(localTime(health.tls.notAfter))
          : texts.certificateDays(health.tls.daysLeft),
    );
    // The relay warns in its log from 30 days before; status says it the same days.
    if (
      caNotAfter !== undefined &&
      caDaysLeft !== undefined &&
      caDaysLeft < 30 &&
      health.tls.error !== 'ca_expired'
    ) {
      lines.push(texts.caExpiring(localTime(caNotAfter), caDaysLeft, health.tls.source));
    }
    if (health.tls_failures && health.tls_failures.length > 0) {
      lines.push(...texts.tlsFailures(health.tls_failures, health.tls.source));
    }
    // /setup hands out a CA only when the relay has one (--tls auto, or --tls-ca).
    if (health.tls.caFingerprint256) {
      lines.push(texts.newTablet(setupAt(url, health.host)));
      lines.push(texts.caFingerprint(health.tls.caFingerprint256));
    }
  }
  return { running, text: `${lines.join('\n')}\n` };
}

const notRunning = (lines: string[]): StatusReport => ({
  running: false,
  text: `${lines.join('\n')}\n`,
});

const CERTIFICATE_REFUSED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export interface HealthQuery {
  /** The CA an HTTPS relay's certificate must chain to. */
  ca?: string;
  /**
   * The name the certificate must be valid for, when it is not the host asked (a company
   * certificate without `localhost`, asked on this machine): still checked, against this name.
   */
  serverName?: string;
  timeoutMs?: number;
}

/** GET `<base>/health`; HTTPS relays are asked over HTTPS, trusting `ca` (their outlet CA). */
export function fetchHealth(base: string, options: HealthQuery = {}): Promise<HealthResponse> {
  const url = new URL('/health', base);
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      // A fresh connection per question: a kept-alive one may belong to a relay now gone.
      {
        agent: false,
        timeout: options.timeoutMs ?? 3_000,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.serverName ? verifiedAs(options.serverName) : {}),
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode === 426) {
            reject(Object.assign(new Error('serves HTTPS only'), { code: 'https_required' }));
            return;
          }
          try {
            const health = JSON.parse(body) as HealthResponse;
            if (typeof health?.status !== 'string') throw new Error('not /health');
            resolve(health);
          } catch {
            reject(new Error(`answered ${response.statusCode} without health JSON`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 3 s')));
    request.on('error', reject);
  });
}

/** TLS options that check the certificate as valid for `name`, whatever host was asked. */
function verifiedAs(name: string) {
  return {
    // SNI takes a name, never an address.
    ...(isIP(name) ? {} : { servername: name }),
    checkServerIdentity: (_host: string, cert: Parameters<typeof checkServerIdentity>[1]) =>
      checkServerIdentity(name, cert),
  };
}

/**
 * The name to check a relay certificate against when asking it on this machine: none when it
 * covers `localhost` (the address asked); else its first DNS name (a wildcard's with `relay`
 * for the star), else its first IP address.
 */
export function localIdentityOf(certificatePem: string): string | undefined {
  const entries = (new X509Certificate(certificatePem).subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim());
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
  if (dns.includes('localhost')) return undefined;
  const name = dns.find((d) => !d.startsWith('*.')) ?? dns[0]?.replace(/^\*\./, 'relay.');
  if (name) return name;
  return entries.find((e) => e.startsWith('IP Address:'))?.slice('IP Address:'.length);
}

/** Asks the relay on this machine, over HTTP and then (for a --tls relay) HTTPS. */
export interface StatusWording {
  /** The language. Default English. */
  texts?: StatusTexts;
  /** The relay's log: when nothing answers, its last error says why. */
  logFile?: string;
  /** The CA file this user may not read (`path (EACCES)`): why a certificate is unverified. */
  caUnreadable?: string;
}

export async function relayStatus(
  urls: string[],
  options: HealthQuery = {},
  { texts = STATUS_TEXTS_EN, logFile, caUnreadable }: StatusWording = {},
): Promise<StatusReport> {
  const failures: Array<{ url: string; why: string }> = [];
  for (const url of urls) {
    try {
      return describeHealth(url, await fetchHealth(url, options), { texts });
    } catch (error) {
      const why = (error as { code?: string }).code ?? (error as Error).message;
      failures.push({ url, why });
    }
  }
  // Something answered: say what stands in the way rather than "not running".
  const refused = failures.find((f) => CERTIFICATE_REFUSED.test(f.why));
  if (refused) {
    return notRunning([
      ...texts.unverified(refused.url, refused.why),
      ...(caUnreadable ? [texts.caUnreadable(caUnreadable)] : []),
    ]);
  }
  const httpsOnly = failures.find((f) => f.why === 'https_required');
  if (httpsOnly) {
    const https = new URL(httpsOnly.url);
    https.protocol = 'https:';
    return notRunning([texts.httpsOnly(httpsOnly.url, https.origin)]);
  }
  const problem = logFile ? lastLoggedProblem(logFile) : undefined;
  return notRunning([
    ...texts.notRunning(urls[0] ?? '', failures.at(-1)?.why ?? 'no address to ask'),
    ...(problem && logFile ? texts.lastProblem(problem.time, problem.msg, logFile) : []),
  ]);
}

/**
 * `kitchen-sync-relay status [--port N] [--url URL] [--data-dir D] [--tls-dir D] [--tls-ca F]
 * [--tls-cert F] [--lang en|id]`:
 * exit 0 when running (also the Docker image's HEALTHCHECK, TLS or not), even with central
 * behind: that is a warning in the text, not a reason to restart the relay.
 */
export async function statusCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(() =>
    parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        url: { type: 'string' },
        'data-dir': { type: 'string' },
        'tls-dir': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        lang: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }),
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port ?? env.KS_PORT ?? '3001';
  // A TLS relay is trusted through the CA it serves at /ca.crt, never by switching checks
  // off: the company CA of --tls-ca, else the outlet CA --tls auto keeps.
  const tlsDir = values['tls-dir'] ?? env.KS_TLS_DIR;
  const dataDir = values['data-dir'] ?? env.KS_DATA_DIR ?? './data';
  const caFile =
    values['tls-ca'] ?? env.KS_TLS_CA ?? join(tlsDir ?? join(dataDir, 'tls'), 'ca.crt');
  // A CA that is there but not for this user (a boot task's files, owned by root) is said
  // as such, not as a missing flag.
  let ca: string | undefined;
  let caUnreadable: string | undefined;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM') caUnreadable = `${caFile} (${code})`;
  }
  // With a CA on this machine the relay is a TLS one: asked (and, when down, named) by https.
  const plain = `http://127.0.0.1:${port}`;
  const secure = `https://localhost:${port}`;
  const urls = values.url ? [values.url] : ca ? [secure, plain] : [plain, secure];
  const certFile = values['tls-cert'] ?? env.KS_TLS_CERT;
  const serverName =
    certFile && existsSync(certFile) ? localIdentityOf(readFileSync(certFile, 'utf8')) : undefined;
  const texts = cliLanguage(values.lang, env) === 'id' ? STATUS_TEXTS_ID : STATUS_TEXTS_EN;
  // The executable logs beside its data dir unless told otherwise (defaults.ts).
  const logFile = env.KS_LOG_FILE || (isExecutable() ? executableLogFile(dataDir) : undefined);
  const report = await relayStatus(
    urls,
    { ...(ca ? { ca } : {}), ...(serverName ? { serverName } : {}) },
    {
      texts,
      ...(logFile ? { logFile } : {}),
      ...(caUnreadable ? { caUnreadable } : {}),
    },
  );
  process.stdout.write(report.text);
  return report.running ? 0 : 1;
}
