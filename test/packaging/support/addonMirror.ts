import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { run } from './run.js';

export interface AddonMirror {
  /** The better-sqlite3 version the workspace built; the app is pinned to it. */
  version: string;
  /** Environment for `npm install`: prebuild-install's documented mirror variable. */
  env: Record<string, string>;
  /** How many prebuilds were downloaded from it. */
  readonly served: number;
  close(): Promise<void>;
}

/**
 * better-sqlite3 downloads a prebuilt addon from GitHub at install, which this network
 * cannot reach, and then compiles SQLite from source (70 s and more on two shared cores).
 * `pnpm install` already compiled the same version for the workspace, so this loopback
 * server hands prebuild-install that build, packed the way prebuilds are. Without a workspace
 * build it returns null and npm compiles, which is slow but still correct.
 */
export async function startAddonMirror(
  relayDir: string,
  workDir: string,
): Promise<AddonMirror | null> {
  const require = createRequire(join(relayDir, 'package.json'));
  const packageDir = dirname(require.resolve('better-sqlite3/package.json'));
  const addon = 'build/Release/better_sqlite3.node';
  if (!existsSync(join(packageDir, addon))) return null;
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const tarball = join(workDir, 'better-sqlite3-prebuild.tar.gz');
  await run('tar', ['-czf', tarball, '-C', packageDir, addon], { cwd: workDir });
  const body = readFileSync(tarball);

  const requested: string[] = [];
  const server = createServer((request, response) => {
    requested.push(request.url ?? '/');
    response.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    version,
    env: { npm_config_better_sqlite3_binary_host: host },
    get served() {
      return requested.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => removeCachedCopies(host, requested)),
  };
}

/** prebuild-install keeps each download in the npm cache under a name made from its URL. */
function removeCachedCopies(host: string, paths: string[]): void {
  const cache = process.env.npm_config_cache ?? join(process.env.HOME ?? '', '.npm');
  for (const path of paths) {
    const url = `${host}${path}`;
    const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
    const name = `${digest}-${url.slice(url.lastIndexOf('/') + 1).replace(/[^a-zA-Z0-9.]+/g, '-')}`;
    rmSync(join(cache, '_prebuilds', name), { force: true });
  }
}
