import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../test-support/ports.js';
import { Child } from './childProcess.js';
import { waitFor } from './waitFor.js';

/** Debian's PostgreSQL 15, as run_tests.py uses it. */
const PG_BIN = process.env.KS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
// The port opens before recovery ends; connections before this line are refused.
const READY_LINE = 'database system is ready to accept connections';

/**
 * initdb and postgres refuse root: as root the cluster belongs to Debian's `postgres` user,
 * and the server is spawned with its uid so the pid held is the postmaster's own.
 */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('as root, PostgreSQL needs the Debian "postgres" user');
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A throwaway PostgreSQL for central's database: initdb in a temp dir, a free loopback port,
 * fsync off (a crash of the machine is not under test), stopped by its pid.
 * (test-support/postgres.ts, once on main, does the same for the relay's tests.)
 */
export class Postgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'ks-central-pg-'));
  port = 0;
  #server: Child | null = null;

  async start(): Promise<this> {
    const user = serverUser();
    const data = join(this.dir, 'pgdata');
    const sockets = join(this.dir, 'pgsock');
    mkdirSync(sockets, { recursive: true });
    if (user) for (const path of [this.dir, sockets]) chownSync(path, user.uid, user.gid);
    const asUser = user ?? {};
    execFileSync(
      join(PG_BIN, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { ...asUser, cwd: this.dir, stdio: 'ignore' },
    );
    this.port = await freePort();
    this.#server = new Child(
      join(PG_BIN, 'postgres'),
      [
        '-D',
        data,
        '-k',
        sockets,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=100',
      ],
      {},
      this.dir,
      asUser,
    );
    const server = this.#server;
    try {
      await waitFor(
        () => !server.running || server.output.includes(READY_LINE),
        30_000,
        'PostgreSQL to start',
      );
    } catch (error) {
      throw new Error(`${String(error)}\n${server.output}`);
    }
    if (!server.running) throw new Error(`PostgreSQL exited:\n${server.output}`);
    return this;
  }

  /** SIGINT (PostgreSQL's fast shutdown), then the data is deleted. */
  async stop(): Promise<void> {
    await this.#server?.stop('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
