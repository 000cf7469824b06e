import { describe, expect, it } from 'vitest';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { createRelay } from '../src/index.js';
import { runCli } from './cliProcess.js';

const env = { KS_SECRET: 'test-secret-that-is-long-enough-32b' };

function refused(argv: string[]): CliError {
  try {
    parseCli(argv, env);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('parseCli accepted it');
}

describe('cluster flags', () => {
  it('refuse a cluster without a shared store, with a code', () => {
    expect(refused(['--cluster-redis-url', 'redis://127.0.0.1:6379']).code).toBe(
      'cluster_needs_shared_store',
    );
    expect(refused(['--store', 'memory', '--node-id', 'a']).code).toBe(
      'cluster_needs_shared_store',
    );
  });

  it('refuse a Redis URL that cannot work before anything starts, with a code', () => {
    const onPostgres = ['--store', 'postgres', '--database-url', 'postgres://relay@db/ks'];
    for (const bad of [
      'redis://127.0.0.1:notaport',
      'redis://127.0.0.1:99999',
      'http://127.0.0.1:6379',
      'redis://127.0.0.1:6379/two',
      'notaurl',
    ]) {
      expect(refused([...onPostgres, '--cluster-redis-url', bad]).code).toBe(
        'cluster_redis_url_invalid',
      );
    }
    for (const good of ['redis://127.0.0.1:6379', 'rediss://u:p@redis:6380/2', 'redis://r/']) {
      const cli = parseCli([...onPostgres, '--cluster-redis-url', good], env);
      expect(cli.command === 'serve' && cli.options.cluster).toEqual({ redisUrl: good });
    }
  });

  // The audit's repro: a stack trace and exit 1, with no code.
  it('a bad Redis URL exits 2 with its code and no stack trace', async () => {
    const out = await runCli(
      [
        'serve',
        '--insecure-no-auth',
        '--store',
        'postgres',
        '--database-url',
        'postgres://relay@127.0.0.1:1/ks',
        '--cluster-redis-url',
        'redis://127.0.0.1:notaport',
      ],
      {},
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('[cluster_redis_url_invalid]');
    expect(out.stderr).not.toMatch(/TypeError|\n\s+at /);
  });

  it('an embedding relay gets a ConfigError with the same code', () => {
    const make = () =>
      createRelay({
        insecureNoAuth: true,
        store: 'memory',
        cluster: { redisUrl: 'redis://127.0.0.1:notaport' },
      });
    expect(make).toThrow(expect.objectContaining({ code: 'cluster_redis_url_invalid' }));
  });

  it('leave a relay alone a relay alone', () => {
    const cli = parseCli([], env);
    expect(cli.command === 'serve' && cli.options.cluster).toBeUndefined();
  });

  it('are in the help text', () => {
    expect(HELP).toMatch(/--cluster-redis-url URL/);
    expect(HELP).toMatch(/--node-id NAME/);
  });
});
