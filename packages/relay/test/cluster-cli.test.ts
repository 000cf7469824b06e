import { describe, expect, it } from 'vitest';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';

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

  it('leave a relay alone a relay alone', () => {
    const cli = parseCli([], env);
    expect(cli.command === 'serve' && cli.options.cluster).toBeUndefined();
  });

  it('are in the help text', () => {
    expect(HELP).toMatch(/--cluster-redis-url URL/);
    expect(HELP).toMatch(/--node-id NAME/);
  });
});
