#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { KitchenSyncError, LIMITS } from '@kitchen-sync/protocol';
import { signToken } from './auth/tokens.js';
import { autostartCommand } from './cli/autostart.js';
import { executableDefaults, isExecutable } from './cli/defaults.js';
import { watchGoneStdout } from './cli/goneStdout.js';
import { hangupMeans } from './cli/hangupSignal.js';
import { newSecret, weakSecretWarning, writeSecretFile } from './cli/secret.js';
import { setupUrls } from './cli/setupUrls.js';
import { startupProblem } from './cli/startupError.js';
import { logFileOf, logStartupFailure } from './cli/startupFailureLog.js';
import { statusCommand } from './cli/status.js';
import { reportUncaught } from './cli/uncaught.js';
import { CliError, HELP, parseCli } from './cliOptions.js';
import { ConfigError } from './lib/configError.js';
import { boundLogWrites } from './logger.js';
import { createRelay } from './relay.js';
import { autoNames } from './tls/autoNames.js';
import { certReport } from './tls/certReport.js';
import { ensureOutletCertificate, TlsError } from './tls/index.js';
import { tlsDirUnwritable } from './tls/tlsDirUnwritable.js';
import { isWithin, realPathOf } from './transport/appPrivatePaths.js';

// A stop is bounded: close() ends its own waits (sockets 0.5 s, checkpoint thread 2 s), log
// writes to a full stderr give up after LOG_WRITE_GIVE_UP_MS, and whatever else hangs is cut
// off by a hard exit after HARD_EXIT_MS.
const LOG_WRITE_GIVE_UP_MS = 2_000;
const HARD_EXIT_MS = 10_000;

/** Where `serve` logs, once known: a refusal to start is written there too. */
let serveLogFile: string | undefined;
/** Where `serve` keeps its SQLite log, once known: a refusal for its disk names it. */
let serveDataDir: string | undefined;
// The app folders of serve: a log file in one is served to anyone, so nothing is written to it.
let serveAppDirs: string[] = [];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';
  if (command === 'serve') serveLogFile = logFileOf(argv, process.env);
  // From the first line `serve` may write (the executable's notice) on.
  const stdout = command === 'serve' ? watchGoneStdout() : undefined;
  // The executable runs without a terminal or a config: it fills in what is missing.
  let env = process.env;
  if (isExecutable()) {
    const setting = executableDefaults(command, argv, process.env, process.execPath);
    env = { ...setting.env, ...process.env };
    if (command === 'serve') serveLogFile = logFileOf(argv, env);
    if (setting.notice) process.stdout.write(setting.notice);
  }
  if (command === 'status') {
    process.exitCode = await statusCommand(argv.slice(1), env);
    return;
  }
  if (command === 'autostart') {
    const launcher = isExecutable() ? [process.execPath] : [process.execPath, process.argv[1]!];
    process.exitCode = autostartCommand(argv.slice(1), env, launcher, isExecutable());
    return;
  }
  const cli = parseCli(argv, env);
  if (cli.command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (cli.command === 'secret') {
    if (cli.file) {
      writeSecretFile(cli.file);
      process.stdout.write(`a new token secret is in ${cli.file}; keep it private\n`);
    } else process.stdout.write(`${newSecret()}\n`);
    return;
  }
  if (cli.command === 'token') {
    const weak = weakSecretWarning(cli.secret);
    if (weak) process.stderr.write(`kitchen-sync-relay: warning: ${weak}\n`);
    const claims = {
      sub: cli.sub,
      role: cli.role,
      outlet: cli.outlet,
      ...(cli.tenants.length > 0 ? { tenants: cli.tenants } : {}),
    };
    // signToken refuses a token the socket handshake would refuse (HTTP would take it): a
    // token that works only for polling is worse than none.
    const token = await signToken(cli.secret, claims, cli.ttl).catch((error: unknown) => {
      const length = (error as KitchenSyncError).details?.tokenLength;
      if (length === undefined) throw error;
      throw new CliError(
        `the token would be ${length} characters, over the ${LIMITS.TOKEN_MAX_LENGTH} the relay's socket handshake accepts: give fewer --tenant (none = every tenant of the outlet) or a shorter --sub`,
        'token_too_long',
      );
    });
    process.stdout.write(`${token}\n`);
    return;
  }
  if (cli.command === 'cert') {
    const { tlsDir: dir, addresses } = cli;
    // Without --address, the names `serve --tls auto` would use: a cert run beside it must not
    // re-issue. With --address the certificate holds exactly what was given.
    const { names, invalidMachineName } = addresses
      ? { names: cli.names, invalidMachineName: undefined }
      : autoNames(cli.names.length > 0 ? cli.names : undefined);
    if (invalidMachineName) {
      process.stderr.write(
        `kitchen-sync-relay: the machine name "${invalidMachineName}" is not a valid host name; give --name\n`,
      );
    }
    const result = await ensureOutletCertificate({
      dir,
      names,
      ...(addresses ? { addresses } : {}),
    }).catch((error: unknown) => {
      throw tlsDirUnwritable(error, resolve(dir)) ?? error;
    });
    process.stdout.write(certReport(result));
    return;
  }
  if (cli.options.store === 'sqlite') serveDataDir = cli.options.dataDir;
  serveAppDirs = (cli.options.apps ?? []).map((app) => app.dir);
  // A drained cluster node (POST /admin/drain) is closed: its process ends like after SIGTERM.
  const relay = createRelay({ ...cli.options, onDrained: () => process.exit(0) });
  // Warned, not refused: outlets already running on a short secret must keep starting.
  const weak = weakSecretWarning(cli.options.secret);
  if (weak) relay.logger.warn({ code: 'weak_secret' }, weak);
  stdout?.logTo(relay.logger);
  // Last line of defence only: handlers catch their own errors, and tests prove it.
  process.on('uncaughtException', (error) =>
    reportUncaught(relay.logger, 'uncaught exception', error),
  );
  process.on('unhandledRejection', (error) =>
    reportUncaught(relay.logger, 'unhandled rejection', error),
  );
  // Before the ready line: a supervisor may signal the moment it reads it.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    relay.logger.info({ signal }, 'shutting down');
    boundLogWrites(LOG_WRITE_GIVE_UP_MS);
    setTimeout(() => {
      relay.logger.error(`shutdown took over ${HARD_EXIT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    // A cluster node drains first: its clients move to the other nodes instead of waiting.
    (cli.options.cluster ? relay.drain() : relay.close()).then(
      () => process.exit(0),
      (error) => {
        relay.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // The usual "reload your configuration" signal: the certificate files (which are also
  // picked up when they change). On Windows it is the console window closing (hangupSignal.ts). Without TLS there is nothing to reload, and Node's default
  // (dying without the graceful stop) would be the worst answer to it.
  process.on('SIGHUP', () => {
    if (hangupMeans(process.platform) === 'stop') stop('SIGHUP');
    else if (cli.options.tls) {
      relay.reloadTls().catch((error) => relay.logger.error({ err: error }, 'reload failed'));
    } else relay.logger.info('SIGHUP: nothing to reload (no TLS)');
  });
  const { url } = await relay.listen();
  process.stdout.write(`kitchen-sync-relay listening on ${url}\n`);
  if (cli.options.tls) {
    // The relay already holds the CA it serves: no second read of the file.
    const health = relay.tlsHealth();
    const caFingerprint = health.enabled ? health.caFingerprint256 : undefined;
    const caName = health.enabled ? health.caName : undefined;
    const tls = cli.options.tls;
    // The CA /setup hands out, the relay's own or a company's (--tls-ca): the person installing
    // it on a device compares its name and fingerprint with these lines.
    const caFile =
      'auto' in tls
        ? join(tls.auto.dir ?? join(cli.options.dataDir ?? './data', 'tls'), 'ca.crt')
        : tls.caFile;
    if (caFile) {
      process.stdout.write(
        `outlet CA certificate: ${resolve(caFile)}${caName ? ` (${caName})` : ''}\n`,
      );
    }
    if (caFingerprint) {
      process.stdout.write(`outlet CA SHA-256 (the one /setup shows): ${caFingerprint}\n`);
    }
    // /setup is for installing a CA: without one (--tls-cert without --tls-ca) it has none.
    if (caFingerprint) {
      for (const setup of setupUrls(url)) {
        process.stdout.write(`device setup (CA certificate, QR code): ${setup}\n`);
      }
    }
  }
}

// Settings that cannot work (certificates, apps) carry a stable code, printed in brackets:
// exit 1 like TlsError; usage errors exit 2.
const CODED = /^(tls|app|store)_/;

main().catch((caught) => {
  const error = startupProblem(caught, serveDataDir) ?? caught;
  const code = (error as { code?: string }).code;
  const said =
    error instanceof CliError
      ? `${error.message}${code ? ` [${code}]` : ''}`
      : error instanceof TlsError ||
          error instanceof KitchenSyncError ||
          error instanceof ConfigError ||
          (typeof code === 'string' && CODED.test(code))
        ? `${(error as Error).message} [${code}]`
        : `${(error as Error).stack ?? error}`;
  process.stderr.write(
    `kitchen-sync-relay: ${said}\n${error instanceof CliError ? 'Run with --help for usage.\n' : ''}`,
  );
  // A log file refused for lying in an app folder (served to anyone) stays unwritten.
  const logServed =
    serveLogFile !== undefined &&
    serveAppDirs.some((dir) => isWithin(realPathOf(serveLogFile!), realPathOf(dir)));
  if (serveLogFile && !logServed) logStartupFailure(serveLogFile, said, code);
  process.exit(error instanceof CliError ? 2 : 1);
});
