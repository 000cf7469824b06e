import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/packWorkspace.js';
import { run } from './support/run.js';

// Apps with `exactOptionalPropertyTypes` pass options they may not have as `T | undefined`
// (the docs' recipes do): the declarations in the build must accept that. Checked against the
// build, as an app sees it; the workspace's own sources compile without the flag.
const DIR = join(REPO_ROOT, 'test', 'packaging', 'exact-optional');
const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

describe('the client build under exactOptionalPropertyTypes', () => {
  it.each(['tsconfig.json', 'tsconfig.sw.json'])('%s typechecks', async (project) => {
    await expect(run(tsc, ['-p', join(DIR, project)], { cwd: DIR })).resolves.toBe('');
  });
});
