import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

/** Debian's PostgreSQL 15 (`.ci/run` installs the `postgresql` package). */
export const PG_BIN = process.env.KS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const run = promisify(execFile);
const READY_LINE = 'database system is ready to accept connections';

export interface PostgresOptions {
  /** Extra `-c name=value` settings, e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
  /** How long start-up may take before it counts as failed. */
  startTimeoutMs?: number;
}

/** A throwaway PostgreSQL on 127.0.0.1, its data and socket in a temp dir. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dataDir: string;
  /** Pid of the running postmaster (changes on restart); undefined while it is down. */
  readonly pid: number | undefined;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth: no password). */
  url(database?: string): string;
  /** A fresh, empty database; returns its URL. Names are generated when not given. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Stops the server and keeps its data: `mode: 'fast'` (SIGINT) rolls back open
   * transactions and shuts down cleanly; `mode: 'immediate'` (SIGQUIT) is a crash, with
   * crash recovery on the next start.
   */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data dir (after `halt`). */
  start(): Promise<void>;
  /** `halt` then `start`: what a chaos test means by "PostgreSQL restarted". */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server and deletes its data dir. */
  stop(): Promise<void>;
  /** The server's log so far (for a failing test's message). */
  log(): string;
}

/**
 * initdb refuses to run as root, and so does postgres: as root, the cluster belongs to the
 * Debian `postgres` user (spawned with its uid, so the pid we hold is the postmaster's own).
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error(
      'running as root needs the Debian "postgres" user (apt-get install postgresql)',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

let databaseCounter = 0;

/** initdb + postgres on a free loopback port; resolves once it accepts connections. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const user = serverUser();
  const root = mkdtempSync(join(tmpdir(), 'kitchen-sync-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  mkdirSync(socketDir);
  if (user) for (const dir of [root, socketDir]) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};

  try {
    await run(
      join(PG_BIN, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { ...asUser, cwd: root },
    );
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? error}`);
  }

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    // Not synchronous_commit=off: a commit must survive a crash of the server (restart
    // tests); fsync=off only gives up safety against a crash of the machine.
    full_page_writes: 'off',
    max_connections: '100',
    shared_buffers: '16MB',
    ...options.settings,
  };
  const args = ['-D', dataDir, '-k', socketDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);

  let child: ChildProcess | undefined;
  let logText = '';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;

  async function start(): Promise<void> {
    if (child) throw new Error('postgres is already running');
    const proc = spawn(join(PG_BIN, 'postgres'), args, {
      ...asUser,
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => {
        fail(new Error(`postgres did not start within ${startTimeoutMs} ms:\n${logText}`));
      }, startTimeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        proc.kill('SIGQUIT');
        reject(error);
      }
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        logText += chunk;
        seen += chunk;
        if (seen.includes(READY_LINE)) {
          seen = '';
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('error', (error) => fail(error));
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${logText}`));
      });
    });
  }

  async function halt(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    // A fast shutdown waits for nothing but can still hang on a stuck backend: escalate.
    const escalate = setTimeout(() => proc.kill('SIGQUIT'), 10_000);
    await exited;
    clearTimeout(escalate);
  }

  // A test process that dies without stop() must not leave a postmaster behind.
  const onExit = () => child?.kill('SIGQUIT');
  process.once('exit', onExit);

  try {
    await start();
  } catch (error) {
    process.off('exit', onExit);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  return {
    host: '127.0.0.1',
    port,
    dataDir,
    get pid() {
      return child?.pid;
    },
    url,
    async createDatabase(name?: string): Promise<string> {
      databaseCounter += 1;
      const database = name ?? `test_${process.pid}_${databaseCounter}`;
      await run(join(PG_BIN, 'createdb'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        database,
      ]);
      return url(database);
    },
    halt,
    start,
    async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
      await halt(mode);
      await start();
    },
    async stop(): Promise<void> {
      await halt('fast');
      process.off('exit', onExit);
      rmSync(root, { recursive: true, force: true });
    },
    log: () => logText,
  };
}
