import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideEnv } from './support/freshApp.js';
import { brokenLinks, markdownFiles } from './support/markdownLinks.js';
import { PACKAGES, type PackageName, packWorkspace, REPO_ROOT } from './support/packWorkspace.js';
import { run } from './support/run.js';

// A team reads the README (and the docs it links) on npm and in node_modules, where the
// repository is not: every relative link in a tarball must reach a file in that tarball,
// packed by pnpm (as a release does) or by npm.
const PACKERS = ['pnpm', 'npm'] as const;
type Packer = (typeof PACKERS)[number];
let work: string;
let extracted: Record<Packer, Record<PackageName, string>>;
const readmes = () =>
  PACKAGES.map((name) => readFileSync(join(REPO_ROOT, 'packages', name, 'README.md'), 'utf8'));
let readmesBefore: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kitchen-sync-packed-links-'));
  readmesBefore = readmes();
  extracted = {
    pnpm: await unpacked('pnpm', await packWorkspace(tarballDir('pnpm'))),
    npm: await unpacked('npm', await npmPack(tarballDir('npm'))),
  };
});

function tarballDir(packer: Packer) {
  const dir = join(work, `${packer}-tarballs`);
  mkdirSync(dir);
  return dir;
}

async function npmPack(destination: string) {
  const tarballs = {} as Record<PackageName, string>;
  for (const name of PACKAGES) {
    // Without pnpm's npm_* variables, or npm would read pnpm's config as its own.
    const out = await run('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: join(REPO_ROOT, 'packages', name),
      env: outsideEnv(),
    });
    const [packed] = JSON.parse(out) as [{ filename: string }];
    tarballs[name] = join(destination, packed.filename);
  }
  return tarballs;
}

async function unpacked(packer: Packer, tarballs: Record<PackageName, string>) {
  const roots = {} as Record<PackageName, string>;
  for (const name of PACKAGES) {
    const dir = join(work, packer, name);
    mkdirSync(dir, { recursive: true });
    await run('tar', ['-xzf', tarballs[name], '-C', dir], { cwd: work });
    roots[name] = join(dir, 'package');
  }
  return roots;
}

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('markdown links', () => {
  const cases = PACKERS.flatMap((packer) => PACKAGES.map((name) => [packer, name] as const));
  it.each(cases)('in the tarball %s packs of %s all reach a file inside it', (packer, name) => {
    const root = extracted[packer][name];
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
