import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../../test-support/ports.js';
import { type PostgresServer, startPostgres } from '../../../../test-support/postgres.js';
import { Child } from './childProcess.js';
import { waitForHttp } from './ports.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT_DIR = join(PACKAGE_DIR, 'testproject');
export const PYTHON = process.env.KS_PYTHON ?? '/usr/bin/python3';
export const RELAY_SECRET = 'django-cross-language-secret-32-bytes!';

export interface DjangoStackOptions {
  /** What the settings view hands out as relay_url. */
  relayUrl?: string;
  /** Central's database: SQLite in the temp dir (default), or a PostgreSQL 15 started here. */
  database?: 'sqlite' | 'postgres';
  /** More settings for the test project (e.g. `KS_CORS_ALLOW_ALL: '1'` for pages on loopback). */
  env?: Record<string, string>;
  /**
   * Nice value for PostgreSQL, Redis and daphne (benchmarks: central is another machine on an
   * outlet; on two shared cores it runs at idle priority so the relay keeps the CPU it has there).
   */
  niceness?: number;
}

/**
 * Redis, and daphne serving the kitchen_sync test project (SQLite in a temp dir or a
 * PostgreSQL of its own, the channels_redis layer), on loopback ports. `killDaphne()` is a SIGKILL, `startDaphne()`
 * brings it back on the same port with the same database.
 */
export class DjangoStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'ks-django-'));
  /** What the settings view hands out as relay_url; set before start(). */
  relayUrl: string;
  readonly database: 'sqlite' | 'postgres';
  #extraEnv: Record<string, string>;
  readonly #niceness: number | undefined;
  #postgres: PostgresServer | null = null;
  #redis: Child | null = null;
  #daphne: Child | null = null;
  #port = 0;
  #redisPort = 0;

  constructor(options: DjangoStackOptions = {}) {
    this.relayUrl = options.relayUrl ?? 'http://127.0.0.1:3001';
    this.database = options.database ?? 'sqlite';
    this.#extraEnv = options.env ?? {};
    this.#niceness = options.niceness;
  }

  #renice(pid: number | undefined): void {
    if (this.#niceness !== undefined && pid !== undefined) setPriority(pid, this.#niceness);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get daphneOutput(): string {
    return this.#daphne?.output ?? '';
  }

  #env(): Record<string, string> {
    return {
      PYTHONPATH: `${PACKAGE_DIR}:${PROJECT_DIR}`,
      DJANGO_SETTINGS_MODULE: 'testproject.settings',
      ...(this.#postgres
        ? {
            KS_DB_ENGINE: 'postgres',
            KS_DB_NAME: 'postgres',
            KS_DB_HOST: '127.0.0.1',
            KS_DB_PORT: String(this.#postgres.port),
          }
        : { KS_DB_ENGINE: 'sqlite', KS_DB_NAME: join(this.dir, 'db.sqlite3') }),
      KS_REDIS_URL: `redis://127.0.0.1:${this.#redisPort}/0`,
      KS_RELAY_SECRET: RELAY_SECRET,
      KS_RELAY_URL: this.relayUrl,
      KS_TEST_CONTROL: '1',
      ...this.#extraEnv,
    };
  }

  async start(): Promise<this> {
    // A stack that fails half-way is never returned to the test: stop what did start.
    try {
      await this.#startAll();
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  async #startAll(): Promise<void> {
    if (this.database === 'postgres') {
      this.#postgres = await startPostgres();
      // Before any connection: each backend PostgreSQL forks inherits the postmaster's.
      this.#renice(this.#postgres.pid);
    }
    this.#redisPort = await freePort();
    const redisDir = join(this.dir, 'redis');
    mkdirSync(redisDir, { recursive: true });
    this.#redis = new Child(
      'redis-server',
      [
        '--port',
        String(this.#redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        redisDir,
      ],
      {},
    );
    this.#renice(this.#redis.child.pid);
    this.manage(['migrate', '--noinput', '-v', '0']);
    this.#port = await freePort();
    await this.startDaphne();
    const { vendor } = await this.control<{ vendor: string }>('database/');
    const expected = this.database === 'postgres' ? 'postgresql' : 'sqlite';
    if (vendor !== expected) throw new Error(`central runs on ${vendor}, not ${expected}`);
  }

  /**
   * `env`: settings this start and every later one (and `manage`, `python`) add, as an upgrade
   * of central would, e.g. `{ KS_SOCKET_TOKEN_SECRET: … }`.
   */
  async startDaphne(env: Record<string, string> = {}): Promise<void> {
    if (this.#daphne?.running) throw new Error('daphne is already running');
    this.#extraEnv = { ...this.#extraEnv, ...env };
    this.#daphne = new Child(
      PYTHON,
      ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(this.#port), 'testproject.asgi:application'],
      this.#env(),
      PROJECT_DIR,
    );
    const daphne = this.#daphne;
    this.#renice(daphne.child.pid);
    try {
      await waitForHttp(`${this.url}/health`, 60_000, () => daphne.running);
    } catch (error) {
      throw new Error(`${String(error)}\n${daphne.output}`);
    }
  }

  /** `python -m django <args>` against this stack's database (e.g. `load_demo_menu F`). */
  manage(args: string[]): void {
    execFileSync(PYTHON, ['-m', 'django', ...args], {
      env: { ...process.env, ...this.#env() },
      cwd: PROJECT_DIR,
    });
  }

  /** Like a crash: no chance to close sockets cleanly. */
  killDaphne(): Promise<void> {
    return this.#daphne ? this.#daphne.stop('SIGKILL') : Promise.resolve();
  }

  async control<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/test-control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      throw new Error(`${path} answered ${response.status}\n${this.daphneOutput.slice(-3000)}`);
    }
    return (await response.json()) as T;
  }

  /**
   * Runs Python in the project with the stack's settings, as another central process would
   * (a worker, a cron job): it works while daphne is down. Returns what the code prints.
   */
  python(code: string): string {
    return execFileSync(PYTHON, ['-m', 'django', 'shell', '-c', code], {
      env: { ...process.env, ...this.#env() },
      cwd: PROJECT_DIR,
      encoding: 'utf8',
    });
  }

  writeSecretFile(): string {
    const file = join(this.dir, 'relay.secret');
    writeFileSync(file, `${RELAY_SECRET}\n`, { mode: 0o600 });
    return file;
  }

  /** A relay credential for `outlet`, issued by the package, in a file for --central-token-file. */
  async writeRelayCredentialFile(outlet: number): Promise<string> {
    const { token } = await this.control<{ token: string }>('relay-credential/', { outlet });
    const file = join(this.dir, 'central.token');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    return file;
  }

  async stop(): Promise<void> {
    await this.#daphne?.stop();
    await this.#redis?.stop();
    await this.#postgres?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
