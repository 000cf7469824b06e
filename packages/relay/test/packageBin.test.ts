import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};

describe('the relay package bin', () => {
  it('ships one bin, kitchen-sync-relay, whose target exists before a build', () => {
    expect(Object.keys(pkg.bin)).toEqual(['kitchen-sync-relay']);
    const target = pkg.bin['kitchen-sync-relay']!;
    // pnpm links bins at install time, before any build: a target under dist/ is missing then.
    expect(target).not.toMatch(/(^|\/)dist\//);
    expect(existsSync(`${root}${target}`)).toBe(true);
    expect(pkg.files).toContain(target.replace(/^\.\//, '').split('/')[0]);
    const tracked = spawnSync('git', ['ls-files', '--error-unmatch', target], { cwd: root });
    expect(tracked.status).toBe(0);
  });

  it('runs the CLI', () => {
    const help = spawnSync(
      process.execPath,
      [`${root}${pkg.bin['kitchen-sync-relay']}`, '--help'],
      {
        encoding: 'utf8',
      },
    );
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('kitchen-sync-relay');
  });
});
