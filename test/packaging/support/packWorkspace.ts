import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PACKAGES = ['protocol', 'client', 'relay'] as const;
export type PackageName = (typeof PACKAGES)[number];

/**
 * `pnpm pack` of each published package, as a release would make them (`workspace:*`
 * becomes the real version). Needs `pnpm build` first: `pnpm test` runs it.
 */
export async function packWorkspace(destination: string): Promise<Record<PackageName, string>> {
  const tarballs = {} as Record<PackageName, string>;
  for (const name of PACKAGES) {
    const dir = join(REPO_ROOT, 'packages', name);
    if (!existsSync(join(dir, 'dist'))) {
      throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first`);
    }
    const out = await run('pnpm', ['pack', '--pack-destination', destination], { cwd: dir });
    const file = out
      .trim()
      .split('\n')
      .reverse()
      .find((line) => line.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack printed no tarball for ${name}:\n${out}`);
    tarballs[name] = join(destination, file.slice(file.lastIndexOf('/') + 1));
  }
  return tarballs;
}

/** The files a tarball holds, without the `package/` prefix npm puts in front. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const out = await run('tar', ['-tzf', tarball], { cwd: REPO_ROOT });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^package\//, ''));
}

/** One file of a tarball, as text. */
export function tarballText(tarball: string, file: string): Promise<string> {
  return run('tar', ['-xzOf', tarball, `package/${file}`], { cwd: REPO_ROOT });
}
