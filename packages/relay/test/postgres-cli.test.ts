import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports.js';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { SECRET } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-pg-cli-'));
  writeFileSync(join(dir, 'secret'), SECRET, { mode: 0o600 });
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  parseCli(['serve', '--secret-file', join(dir, 'secret'), ...argv], env);

describe('--store postgres', () => {
  it('takes the database URL from --database-url or KS_DATABASE_URL', () => {
    const url = 'postgres://relay@db:5432/ks';
    const fromFlag = serve(['--store', 'postgres', '--database-url', url]);
    const fromEnv = serve([], { KS_STORE: 'postgres', KS_DATABASE_URL: url });
    for (const parsed of [fromFlag, fromEnv]) {
      expect(parsed.command === 'serve' && parsed.options).toMatchObject({
        store: 'postgres',
        databaseUrl: url,
      });
    }
    expect(HELP).toMatch(/--store sqlite\|memory\|postgres/);
  });

  it('is a usage error without a URL, and a URL is one without it', () => {
    expect(() => serve(['--store', 'postgres'])).toThrow(CliError);
    expect(() => serve(['--database-url', 'postgres://db/ks'])).toThrow(CliError);
    const code = (argv: string[], env: Record<string, string> = {}) => {
      try {
        serve(argv, env);
      } catch (error) {
        return (error as CliError).code;
      }
      return 'accepted';
    };
    // The variable alone, with the default store: named, with a code.
    expect(code([], { KS_DATABASE_URL: 'postgres://db/ks' })).toBe('store_mode_conflict');
    // Malformed is not "unreachable": refused before any connection is tried.
    for (const bad of ['notaurl', 'postgres://postgres@127.0.0.1:99999/ks', 'http://db/ks']) {
      expect(code(['--store', 'postgres', '--database-url', bad])).toBe('store_url_invalid');
    }
    // libpq's forms: a host, or a Unix socket directory.
    expect(code(['--store', 'postgres', '--database-url', 'postgresql:///ks?host=/run/pg'])).toBe(
      'accepted',
    );
  });

  it('serves from PostgreSQL, and /health says so', async () => {
    const relay = await startCli(['--secret-file', join(dir, 'secret'), '--store', 'postgres'], {
      KS_DATABASE_URL: await freshDatabaseUrl(),
    });
    const health = await (await fetch(`${relay.url}/health`)).json();
    expect(health).toMatchObject({ store: 'postgres', store_reachable: true, head_seq: 0 });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('exits 1 with store_unreachable when PostgreSQL is not there', async () => {
    const port = await freePort();
    const out = await runCli(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--insecure-no-auth', '--store', 'postgres'],
      { KS_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none` },
    );
    expect(out.stderr).toContain('[store_unreachable]');
    expect(out.stdout).not.toContain('listening');
    expect(out.code).toBe(1);
  });
});
