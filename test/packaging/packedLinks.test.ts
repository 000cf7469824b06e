import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenLinks, markdownFiles } from './support/markdownLinks.js';
import { PACKAGES, type PackageName, packWorkspace, REPO_ROOT } from './support/packWorkspace.js';
import { run } from './support/run.js';

// A team reads the README (and the docs it links) on npm and in node_modules, where the
// repository is not: every relative link in a tarball must reach a file in that tarball.
let work: string;
let extracted: Record<PackageName, string>;
const readmes = () =>
  PACKAGES.map((name) => readFileSync(join(REPO_ROOT, 'packages', name, 'README.md'), 'utf8'));
let readmesBefore: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kitchen-sync-packed-links-'));
  readmesBefore = readmes();
  const tarballs = await packWorkspace(work);
  extracted = {} as Record<PackageName, string>;
  for (const name of PACKAGES) {
    const dir = join(work, name);
    mkdirSync(dir);
    await run('tar', ['-xzf', tarballs[name], '-C', dir], { cwd: work });
    extracted[name] = join(dir, 'package');
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('markdown links', () => {
  it.each(PACKAGES)('in the %s tarball all reach a file inside it', (name) => {
    const root = extracted[name];
    const files = markdownFiles(root);
    expect(files).toContain(join(root, 'README.md'));
    expect(brokenLinks(root, files)).toEqual([]);
  });

  it('in the repository still reach their files, the READMEs left as they were by packing', () => {
    expect(readmes()).toEqual(readmesBefore);
    const files = [
      ...PACKAGES.map((name) => join(REPO_ROOT, 'packages', name, 'README.md')),
      ...markdownFiles(join(REPO_ROOT, 'docs')),
      join(REPO_ROOT, 'README.md'),
    ];
    expect(brokenLinks(REPO_ROOT, files)).toEqual([]);
  });
});
