import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddonMirror } from './addonMirror.js';
import type { PackageName } from './packWorkspace.js';
import { run } from './run.js';

const TEMPLATE = fileURLToPath(new URL('../app', import.meta.url));

/**
 * What a team has after `npm create vite` (Svelte + TypeScript) and `npm install` of the
 * three tarballs: its own directory outside the workspace, its own node_modules. Vite 7
 * and the Svelte plugin line that supports it, as the repository uses Vite 7.
 */
export async function createFreshApp(
  dir: string,
  tarballs: Record<PackageName, string>,
  mirror: AddonMirror | null,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  cpSync(TEMPLATE, dir, { recursive: true });
  const manifest = {
    name: 'kitchen-sync-packaging-app',
    private: true,
    type: 'module',
    dependencies: {
      '@kitchen-sync/protocol': `file:${tarballs.protocol}`,
      '@kitchen-sync/client': `file:${tarballs.client}`,
      '@kitchen-sync/relay': `file:${tarballs.relay}`,
    },
    devDependencies: {
      '@sveltejs/vite-plugin-svelte': '^6.2.0',
      // A Node service embedding the relay has Node's types.
      '@types/node': '^20.19.0',
      svelte: '^5.0.0',
      typescript: '~5.9.3',
      vite: '~7.3.0',
    },
    // The prebuilt addon the mirror serves fits only the version it was built from.
    ...(mirror ? { overrides: { 'better-sqlite3': mirror.version } } : {}),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { ...outsideEnv(), ...mirror?.env },
    timeoutMs: 200_000,
  });
}

/** The environment without what pnpm sets for its scripts (`npm_config_*` and friends). */
export function outsideEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}
