import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IdSchema, ROLES, type Role, validate } from '@kitchen-sync/protocol';
import { centralOutletProblem } from './auth/servedOutlets.js';
import { MAX_TOKEN_LIFETIME_S } from './auth/tokenExpiry.js';
import { credentialOutlet } from './bridge/centralCredential.js';
import { redisUrlProblem } from './cluster/redisUrl.js';
import { DEFAULT_MAX_CONNECTIONS_PER_DEVICE } from './lib/deviceSlots.js';
import { errorCode } from './lib/errorCode.js';
import { tightenModes } from './lib/privateFiles.js';
import type { RelayOptions } from './relay.js';
import { assertHostName, certificateAddress } from './tls/hostName.js';
import { parseAppSpec } from './transport/appRoutes.js';
import type { RelayTlsOptions } from './transport/tlsServer.js';
import { DEFAULT_WATCHER_BATCH_MS } from './transport/watcherBroadcasts.js';

export const HELP = `kitchen-sync-relay — the LAN relay of kitchen-sync

Usage:
  kitchen-sync-relay [serve] [flags]     run the relay (default command)
  kitchen-sync-relay token --role R --outlet O [--tenant T]... [--ttl 30d] [--sub ID]
                                          print one signed token on stdout
  kitchen-sync-relay secret [--secret-file F]
                                          make a new token secret (32 random bytes): written to
                                          F (never over an existing file), else printed
  kitchen-sync-relay status [--port N] [--url URL] [--data-dir D] [--tls-dir D] [--tls-ca F] [--tls-cert F] [--lang en|id]
                                          say in words whether the relay here is running
                                          (a TLS relay is trusted through its CA file)
  kitchen-sync-relay autostart install|remove [--data-dir D] [--dry-run] [-- SERVE FLAGS]
                                          start the relay at boot (Windows Task Scheduler,
                                          Linux systemd), or stop doing so; flags after --
                                          go to serve (e.g. -- --tls auto)
  kitchen-sync-relay cert [--data-dir D] [--tls-dir DIR] [--name relay.local]... [--address IP]...
                                          create the outlet CA once, issue or renew the relay's
                                          certificate, print where the files are

Every flag can also be given as an environment variable KS_<FLAG> (e.g. KS_PORT=3001,
KS_DATA_DIR=/var/lib/kitchen-sync, KS_SECRET=...). Flags win over the environment.

serve flags:
  --port N               TCP port, 0 = any free port (default 3001)
  --host H               interface to bind (default 0.0.0.0)
  --data-dir DIR         where the SQLite log lives (default ./data)
  --store sqlite|memory|postgres
                         durable log, throwaway memory, or PostgreSQL shared by a
                         cluster of relays (default sqlite)
  --database-url URL     with --store postgres: postgres://user:pass@host:5432/db
                         (better as KS_DATABASE_URL: a flag shows in ps)
  --secret-file F        file holding the token secret (or KS_SECRET=<secret>)
  --insecure-no-auth     accept clients without tokens (never on a shared network)
  --outlet O             serve only this outlet (repeatable, or KS_OUTLETS=3,4): a device
                         whose token is for another outlet is refused (outlet_not_served)
                         instead of showing "Live" without its orders (default: any outlet)
  --retention-hours N    keep events this long (default 24)
  --retention-events N   keep at most N events per outlet (default 10000)
  --max-message-bytes N  largest accepted message (default 65536)
  --rate-limit N         messages per second per connection, HTTP requests per second
                         per token (per address without one), 0 = off (default 0)
  --max-connections N    most simultaneous socket connections, and most long polls
                         waiting at once (default 2000)
  --max-connections-per-device N
                         the same for one device (its token's sub), so one device
                         cannot take every slot; 0 = no cap (default 32)
  --cors-origin LIST     allowed browser origins, comma separated (default *)
  --watcher-batch-ms N   POS, monitor and admin screens get new events in batches of at
                         most N ms, one write each; kitchens and boards at once; 0 = every
                         event at once, at most 1000 (default 20)
  --log-level L          fatal|error|warn|info|debug|trace|silent (default info)
  --log-file F           also log to F, rotated at 10 MB, five kept (the executable's
                         default: logs/kitchen-sync-relay.log beside the data dir)

Cluster (several relays on one PostgreSQL; see docs/scaling.md):
  --cluster-redis-url URL    Redis for the fan-out between nodes (redis://host:6379);
                             without it a node reads other nodes' orders from the store
                             every 300 ms (correct, slower)
  --node-id NAME             this node's name in /health (default <host name>-<pid>)

Bridge to central (see docs/relay.md "Bridge to central"):
  --central-url URL          central's base URL: the relay uploads its log there
  --central-token-file F     file holding the relay credential central issued (role relay)

TLS (HTTPS and WSS on the same port; see docs/relay.md "TLS"):
  --tls-cert F --tls-key F   your own certificate (chain) and key, PEM; reloaded when the
                             files change or on SIGHUP (not Windows: there SIGHUP stops)
  --tls-ca F                 the CA certificate devices must trust, served at /ca.crt
  --tls auto                 the relay keeps an outlet CA and its own server certificate
                             in <data-dir>/tls, renewed by itself
  --tls-dir DIR              where --tls auto keeps them (default <data-dir>/tls)
  --name HOST                a host name for the --tls auto certificate (repeatable;
                             default <machine name>.local; localhost is always added)
  --app [PREFIX=]DIR         serve a built web app from DIR at /PREFIX/ (repeatable;
                             e.g. --app kiosk=./dist/kiosk; no PREFIX = at /)

token flags:
  --secret-file F / KS_SECRET, --role pos|kitchen|monitor|board|admin, --outlet O,
  --tenant T (repeatable; none = every tenant), --sub ID,
  --ttl 30d              lifetime: seconds (3600) or a whole number with s, m, h, d or w
                         (90m, 12h, 30d, 8w); from 1 second to 400 days

cert flags:
  --data-dir DIR         as for serve (default ./data)
  --tls-dir DIR          where ca.crt, ca.key, relay.crt, relay.key live (default <data-dir>/tls)
  --name N               a DNS name of the relay, e.g. relay.local (repeatable; default
                         <machine name>.local, as serve --tls auto; localhost is always added)
  --address IP           an address of the relay (repeatable; default: every LAN address of
                         this machine plus 127.0.0.1, ::1 and the name localhost)
  --help                 this text
`;

export type CliCommand =
  | { command: 'help' }
  | { command: 'serve'; options: RelayOptions & { port: number; host: string } }
  | {
      command: 'token';
      secret: string;
      role: Role;
      outlet: string;
      tenants: string[];
      /** Seconds. */
      ttl: number;
      sub: string;
    }
  | { command: 'secret'; file?: string }
  | { command: 'cert'; tlsDir: string; names: string[]; addresses?: string[] };

/** A file system error's code (ENOENT, EACCES, …), for a message that says which refusal. */
const refusalCode = (error: unknown): string =>
  errorCode(error) ?? String((error as Error).message ?? error);

export class CliError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  'database-url': { type: 'string' },
  'secret-file': { type: 'string' },
  'insecure-no-auth': { type: 'boolean' },
  'retention-hours': { type: 'string' },
  'retention-events': { type: 'string' },
  'max-message-bytes': { type: 'string' },
  'rate-limit': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-device': { type: 'string' },
  'cors-origin': { type: 'string' },
  'watcher-batch-ms': { type: 'string' },
  'log-level': { type: 'string' },
  'log-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  tls: { type: 'string' },
  'tls-dir': { type: 'string' },
  name: { type: 'string', multiple: true },
  app: { type: 'string', multiple: true },
  role: { type: 'string' },
  // Repeatable for serve (the outlets it serves); token takes one.
  outlet: { type: 'string', multiple: true },
  tenant: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  sub: { type: 'string' },
  address: { type: 'string', multiple: true },
  'central-url': { type: 'string' },
  'central-token-file': { type: 'string' },
  'cluster-redis-url': { type: 'string' },
  'node-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FlagName = keyof typeof FLAGS;
const envName = (flag: string) => `KS_${flag.replace(/-/g, '_').toUpperCase()}`;

// A TCP port: Node would throw ERR_SOCKET_BAD_PORT (a stack trace) only when listening.
function port(raw: string | undefined): number {
  const n = number('port', raw, 3001);
  if (!Number.isInteger(n) || n > 65_535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, not ${raw}`, 'port_invalid');
  }
  return n;
}

/** A whole number of milliseconds up to a second: longer would leave a POS screen visibly behind. */
function watcherBatchMs(raw: string | undefined): number {
  const ms = number('watcher-batch-ms', raw, DEFAULT_WATCHER_BATCH_MS);
  if (!Number.isInteger(ms) || ms > 1_000) {
    throw new CliError(
      `--watcher-batch-ms must be a whole number of milliseconds from 0 to 1000, not ${raw}`,
      'watcher_batch_ms_invalid',
    );
  }
  return ms;
}

function number(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min)
    throw new CliError(`--${name} must be a number ≥ ${min}, not ${raw}`, 'flag_not_a_number');
  return n;
}

/**
 * Checks flags meant for a later `serve` (the ones `autostart install` writes into the boot
 * task) by name and shape only: a typo fails now, at the keyboard, instead of at the next boot.
 */
export function assertServeFlags(flags: string[]): void {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: flags, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's advice for an unknown option ("place it … after '--'") misleads here: these
    // flags already are after `--`.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message);
    throw new CliError(
      unknown ? `${unknown[1]} is not a serve flag (see --help)` : (error as Error).message,
    );
  }
  if (parsed.positionals.length > 0) {
    throw new CliError(`"${parsed.positionals[0]}" is not a serve flag`);
  }
  if (parsed.values.help) throw new CliError('--help is not a serve flag to start with');
}

/** Pure: argv and env in, a command out (or a CliError with a message for people). */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const command = positionals[0] ?? 'serve';
  if (command !== 'serve' && command !== 'token' && command !== 'cert' && command !== 'secret')
    throw new CliError(`unknown command "${command}"`);

  const get = (
    flag: Exclude<
      FlagName,
      'tenant' | 'name' | 'address' | 'app' | 'outlet' | 'insecure-no-auth' | 'help'
    >,
  ) => (values[flag] as string | undefined) ?? env[envName(flag)];
  const flagOn = (flag: 'insecure-no-auth') =>
    values[flag] === true ||
    ['1', 'true', 'yes'].includes((env[envName(flag)] ?? '').toLowerCase());

  if (command === 'cert') return parseCert(get('data-dir'), get('tls-dir'), values, env);

  const secretFile = get('secret-file');
  // Before the secret file is read: `secret` is what creates it.
  if (command === 'secret') {
    return { command: 'secret', ...(secretFile ? { file: secretFile } : {}) };
  }
  let secret = env.KS_SECRET;
  if (secretFile) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      throw new CliError(
        `cannot read the secret file ${secretFile} (${refusalCode(error)}): give the path of the file central signs tokens with, or make one with \`kitchen-sync-relay secret --secret-file ${secretFile}\``,
        'secret_file_unreadable',
      );
    }
    keepPrivate(secretFile, 'secret_file_permissions', 'whoever reads it can make tokens');
  }

  if (command === 'token') {
    if (!secret) throw new CliError('token needs --secret-file or KS_SECRET');
    const role = get('role');
    if (!role || !(ROLES as readonly string[]).includes(role)) {
      throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
    }
    const outlets = values.outlet ?? (env.KS_OUTLET ? [env.KS_OUTLET] : []);
    if (outlets.length > 1) {
      throw new CliError('a token is for one outlet: give --outlet once', 'token_outlet_repeated');
    }
    const outlet = outlets[0];
    if (!outlet) throw new CliError('token needs --outlet');
    const ttl = parseTtl(get('ttl') ?? '30d');
    const tenants = values.tenant ?? (env.KS_TENANT ? env.KS_TENANT.split(',') : []);
    return {
      command: 'token',
      secret,
      role: role as Role,
      outlet,
      tenants,
      ttl,
      sub: get('sub') ?? `${role}-${outlet}`,
    };
  }

  const insecureNoAuth = flagOn('insecure-no-auth');
  if (!secret && !insecureNoAuth) {
    throw new CliError('serve needs --secret-file or KS_SECRET (or --insecure-no-auth)');
  }
  const store = get('store') ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'memory' && store !== 'postgres')
    throw new CliError('--store must be sqlite, memory or postgres');
  const databaseUrl = get('database-url');
  if (store === 'postgres' && !databaseUrl) {
    throw new CliError('--store postgres needs --database-url URL (or KS_DATABASE_URL)');
  }
  if (databaseUrl && store !== 'postgres') {
    throw new CliError(
      '--database-url (or KS_DATABASE_URL) is for --store postgres',
      'store_mode_conflict',
    );
  }
  if (databaseUrl && !isPostgresUrl(databaseUrl)) {
    // Malformed is not "cannot be reached": say so before trying to connect.
    throw new CliError(
      '--database-url must be a postgres:// or postgresql:// URL (libpq form)',
      'store_url_invalid',
    );
  }
  const cors = get('cors-origin') ?? '*';
  const origins = cors
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const list = (flag: 'name' | 'app') =>
    values[flag] ??
    (env[envName(flag)] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const central = centralOptions(get('central-url'), get('central-token-file'));
  const tls = tlsOptions(get, list('name'));
  const apps = list('app').map(parseAppSpec);
  const cluster = clusterOptions(store, get('cluster-redis-url'), get('node-id'));
  const outlets = servedOutlets(values.outlet, env.KS_OUTLETS);
  // Here too, not only in createRelay: `autostart install` parses the boot command this way.
  const centralProblem = central && centralOutletProblem(outlets ?? null, central.outlet);
  if (centralProblem) throw new CliError(centralProblem, 'central_outlet_not_served');
  return {
    command: 'serve',
    options: {
      ...(outlets ? { outlets } : {}),
      ...(tls ? { tls } : {}),
      ...(central ? { central } : {}),
      ...(apps.length > 0 ? { apps } : {}),
      ...(cluster ? { cluster } : {}),
      port: port(get('port')),
      host: get('host') ?? '0.0.0.0',
      dataDir: get('data-dir') ?? './data',
      store,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(secret ? { secret } : {}),
      ...(secretFile ? { secretFile } : {}),
      insecureNoAuth,
      retentionHours: number('retention-hours', get('retention-hours'), 24),
      retentionEvents: number('retention-events', get('retention-events'), 10_000, 1),
      maxMessageBytes: number('max-message-bytes', get('max-message-bytes'), 65_536, 1),
      rateLimit: number('rate-limit', get('rate-limit'), 0),
      maxConnections: number('max-connections', get('max-connections'), 2_000),
      maxConnectionsPerDevice: number(
        'max-connections-per-device',
        get('max-connections-per-device'),
        DEFAULT_MAX_CONNECTIONS_PER_DEVICE,
      ),
      watcherBatchMs: watcherBatchMs(get('watcher-batch-ms')),
      corsOrigin: origins.length === 1 && origins[0] === '*' ? '*' : origins,
      logLevel: get('log-level') ?? 'info',
      ...(get('log-file') ? { logFile: get('log-file')! } : {}),
    },
  };
}

/**
 * `serve --outlet` (repeatable) or `KS_OUTLETS=3,4`: ids as the protocol takes them (a
 * non-empty string of at most 64 characters from the command line), else undefined (any outlet).
 * A flag is split at commas as the variable is: `--outlet 3,4` taken as one outlet "3,4"
 * would start cleanly and refuse every device of both.
 */
function servedOutlets(given: string[] | undefined, fromEnv: string | undefined) {
  const outlets = given
    ? given.flatMap((list) => list.split(',')).map((outlet) => outlet.trim())
    : (fromEnv ?? '')
        .split(',')
        .map((outlet) => outlet.trim())
        .filter(Boolean);
  if (outlets.length === 0) return undefined;
  for (const outlet of outlets) {
    if (!validate(IdSchema, outlet).ok) {
      throw new CliError(
        `--outlet ${JSON.stringify(outlet)} is not an outlet id: give the outlet as its tokens name it (3, or a name of 1 to 64 characters)`,
        'outlet_invalid',
      );
    }
  }
  return outlets;
}

const TTL_UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * `--ttl` as seconds: refused here, with the forms it takes, rather than by jose's parser
 * (a stack trace) or as a token that is already expired or that the relay would refuse.
 */
export function parseTtl(raw: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * TTL_UNIT_S[match[2] || 's']! : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_TOKEN_LIFETIME_S)) {
    throw new CliError(
      `--ttl "${raw}" is not a token lifetime: give seconds (3600) or a whole number with s, m, h, d or w (90m, 12h, 30d), from 1 second to ${MAX_TOKEN_LIFETIME_S / 86_400} days`,
      'token_ttl_invalid',
    );
  }
  return seconds;
}

/** A shared store makes the relay a cluster node; Redis only speeds up its fan-out. */
function clusterOptions(
  store: string,
  redisUrl: string | undefined,
  nodeId: string | undefined,
): RelayOptions['cluster'] | undefined {
  const shared = store === 'postgres';
  if (!shared) {
    if (redisUrl || nodeId) {
      throw new CliError(
        '--cluster-redis-url and --node-id need a shared store (--store postgres)',
        'cluster_needs_shared_store',
      );
    }
    return undefined;
  }
  const problem = redisUrl ? redisUrlProblem(redisUrl) : null;
  if (problem) {
    // Malformed is not "Redis is down": refused before anything starts, like --database-url.
    throw new CliError(
      `--cluster-redis-url ${problem}; the form is redis://[user:password@]host[:port][/database]`,
      'cluster_redis_url_invalid',
    );
  }
  return { ...(redisUrl ? { redisUrl } : {}), ...(nodeId ? { nodeId } : {}) };
}

/**
 * A secret file readable by other accounts is made private (0600) when this user owns it, with
 * a line on stderr; one it cannot change (owned by root and shared with the relay's group, a
 * read-only Docker or Kubernetes secret) is named on stderr and used. Refusing it would stop an
 * outlet's relay at the first boot after an upgrade, for a file an older doc told people to make.
 */
function keepPrivate(path: string, code: string, why: string): void {
  const result = tightenModes([{ path, label: path }]);
  for (const changed of result.changed) {
    process.stderr.write(`kitchen-sync-relay: [${code}] made ${changed} private: ${why}\n`);
  }
  for (const failed of result.failed) {
    process.stderr.write(
      `kitchen-sync-relay: [${code}] ${failed} stays readable by other users: ${why}; run: chmod 600 ${path}\n`,
    );
  }
}

function centralOptions(
  url: string | undefined,
  tokenFile: string | undefined,
): RelayOptions['central'] | undefined {
  if (!url && !tokenFile) return undefined;
  if (!url || !tokenFile) {
    throw new CliError('--central-url and --central-token-file go together');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('--central-url must be a URL (https://central.example.com/)');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new CliError('--central-url must be an http(s) URL');
  }
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (error) {
    throw new CliError(
      `cannot read the central token file ${tokenFile} (${refusalCode(error)}): give the path of the relay credential central issued`,
      'central_token_file_unreadable',
    );
  }
  keepPrivate(
    tokenFile,
    'central_token_file_permissions',
    "whoever reads it can send central this outlet's orders",
  );
  const outlet = credentialOutlet(token);
  if (outlet === null) {
    throw new CliError(
      'the central token is not a relay credential (a JWT with role "relay" and an outlet)',
      'invalid_central_token',
    );
  }
  return { url: parsed.toString(), token, outlet, tokenFile };
}

function parseCert(
  dataDir: string | undefined,
  tlsDir: string | undefined,
  values: { name?: string[]; address?: string[] },
  env: NodeJS.ProcessEnv,
): CliCommand {
  const list = (given: string[] | undefined, fromEnv: string | undefined) =>
    given ?? (fromEnv ? fromEnv.split(',').map((v) => v.trim()) : undefined);
  const names = list(values.name, env.KS_NAME) ?? [];
  for (const name of names) {
    try {
      assertHostName(name);
    } catch (error) {
      throw new CliError(`--name: ${(error as Error).message}`, 'tls_invalid_name');
    }
  }
  const addresses = list(values.address, env.KS_ADDRESS);
  for (const address of addresses ?? []) {
    try {
      certificateAddress(address);
    } catch (error) {
      throw new CliError(`--address: ${(error as Error).message}`, 'tls_invalid_name');
    }
  }
  return {
    command: 'cert',
    tlsDir: tlsDir ?? join(dataDir ?? './data', 'tls'),
    names,
    ...(addresses ? { addresses } : {}),
  };
}

/** The TLS flags as one mode; contradictions and half pairs are refused, never guessed. */
function tlsOptions(
  get: (flag: 'tls' | 'tls-cert' | 'tls-key' | 'tls-ca' | 'tls-dir') => string | undefined,
  names: string[],
): RelayTlsOptions | undefined {
  const mode = get('tls');
  const certFile = get('tls-cert');
  const keyFile = get('tls-key');
  const caFile = get('tls-ca');
  const dir = get('tls-dir');
  if (mode !== undefined && mode !== 'auto') {
    throw new CliError(
      `--tls takes only "auto" (or use --tls-cert and --tls-key)`,
      'tls_mode_invalid',
    );
  }
  if (mode === 'auto') {
    if (certFile || keyFile || caFile) {
      throw new CliError(
        '--tls auto and --tls-cert/--tls-key/--tls-ca exclude each other',
        'tls_mode_conflict',
      );
    }
    return { auto: { ...(dir ? { dir } : {}), ...(names.length > 0 ? { names } : {}) } };
  }
  if (names.length > 0) throw new CliError('--name needs --tls auto', 'tls_mode_conflict');
  if (dir) throw new CliError('--tls-dir needs --tls auto', 'tls_mode_conflict');
  if (!certFile && !keyFile) {
    if (caFile) throw new CliError('--tls-ca needs --tls-cert and --tls-key', 'tls_cert_missing');
    return undefined;
  }
  if (!certFile) throw new CliError('--tls-key needs --tls-cert', 'tls_cert_missing');
  if (!keyFile) throw new CliError('--tls-cert needs --tls-key', 'tls_key_missing');
  return { certFile, keyFile, ...(caFile ? { caFile } : {}) };
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
