// `pnpm build:exe`: the relay as one executable per platform (Node's single executable
// applications). The relay and its dependencies are bundled into one CommonJS file, which
// is injected into a copy of the pinned Node binary; SQLite is node:sqlite, built into Node.
//
//   node exe/build.mjs [--platforms linux-x64,win-x64] [--out exe/out]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { ensureNodeBinary, NODE_VERSION, PLATFORMS } from './nodeBinary.mjs';
import { textFile, writeZip } from './zip.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const require = createRequire(import.meta.url);

/** Node's fixed marker for the SEA fuse; the same string is how tests recognise the blob. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const log = (line) => process.stderr.write(`build:exe ${line}\n`);

async function bundle(outFile) {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
  await esbuild.build({
    entryPoints: [join(packageRoot, 'src/cli.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${NODE_VERSION.split('.')[0]}`,
    // The executable runs on node:sqlite; ws's optional speed-ups are looked up in a try.
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
    // An executable has no package.json beside it to read the version from.
    plugins: [
      {
        name: 'relay-version',
        setup(build) {
          build.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
            contents: `export const RELAY_VERSION = ${JSON.stringify(version)};`,
            loader: 'ts',
          }));
        },
      },
    ],
    // better-sqlite3 is loaded through createRequire(import.meta.url) in a try: in the
    // bundle that require fails and node:sqlite is used, as intended.
    logOverride: { 'empty-import-meta': 'silent' },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

function seaBlob(node, mainFile, blobFile, useCodeCache) {
  const config = join(dirname(blobFile), `${blobFile.split(/[\\/]/).pop()}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: mainFile,
      output: blobFile,
      disableExperimentalSEAWarning: true,
      // V8's code cache is specific to the platform that made it: only for the host's own.
      useCodeCache,
    }),
  );
  execFileSync(node, ['--experimental-sea-config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The npm package's Linux Node keeps its symbol tables (17 MB of 125). Dropped before the
 * blob goes in, where `strip` (binutils) is there and knows the architecture (the host's);
 * elsewhere the executable is simply larger.
 */
function stripSymbols(binary) {
  const result = spawnSync('strip', [binary], { encoding: 'utf8' });
  if (result.error || result.status !== 0) log(`strip unavailable, ${binary} keeps its symbols`);
}

function inject(binary, blobFile, platform) {
  const postject = require.resolve('postject/dist/cli.js');
  // postject warns about ELF note sections it does not touch; its output matters only when it fails.
  const result = spawnSync(
    process.execPath,
    [postject, binary, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', SEA_FUSE],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`postject failed on ${binary}:\n${result.stdout}${result.stderr}`);
  }
  if (!platform.startsWith('win')) execFileSync('chmod', ['755', binary]);
}

/** What an outlet downloads: the executable, the .bat files on Windows, a README (id/en). */
function releaseZip(platform, exe, out, version) {
  const windows = platform.startsWith('win');
  const folder = `kitchen-sync-relay-${platform}`;
  const release = join(here, 'release');
  const entries = [
    { name: `${folder}/${PLATFORMS[platform].exe}`, data: readFileSync(exe), mode: 0o755 },
    {
      name: `${folder}/README.txt`,
      data: textFile(join(release, windows ? 'README-windows.txt' : 'README-linux.txt'), {
        crlf: windows,
      }),
    },
  ];
  if (windows) {
    for (const bat of BAT_FILES) {
      entries.push({
        name: `${folder}/${bat}`,
        data: textFile(join(release, bat), { crlf: true }),
      });
    }
  }
  const zip = join(out, `kitchen-sync-relay-${version}-${platform}.zip`);
  writeZip(zip, entries);
  return zip;
}

export const BAT_FILES = [
  'START_KITCHEN_SYNC.bat',
  'CHECK_KITCHEN_SYNC.bat',
  'INSTALL_AUTOSTART.bat',
  'REMOVE_AUTOSTART.bat',
];

export async function buildExecutables({ platforms, out }) {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
  mkdirSync(out, { recursive: true });
  const work = join(out, '.work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const mainFile = join(work, 'relay.cjs');
  log(`bundling src/cli.ts -> ${mainFile}`);
  await bundle(mainFile);
  // The blob is made by the same Node version it runs on, which must run on this machine.
  const hostPlatform = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const hostNode = ensureNodeBinary(PLATFORMS[hostPlatform] ? hostPlatform : 'linux-x64', log);
  const built = [];
  for (const platform of platforms) {
    const spec = PLATFORMS[platform];
    if (!spec) throw new Error(`unknown platform ${platform}; one of ${Object.keys(PLATFORMS)}`);
    const node = ensureNodeBinary(platform, log);
    const blobFile = join(work, `${platform}.blob`);
    seaBlob(hostNode, mainFile, blobFile, platform === hostPlatform);
    const dir = join(out, platform);
    mkdirSync(dir, { recursive: true });
    const exe = join(dir, spec.exe);
    rmSync(exe, { force: true });
    copyFileSync(node, exe);
    if (platform === hostPlatform && !platform.startsWith('win')) stripSymbols(exe);
    inject(exe, blobFile, platform);
    const bytes = statSync(exe).size;
    const zip = releaseZip(platform, exe, out, version);
    log(`${platform}: ${exe} (${(bytes / 1e6).toFixed(1)} MB, Node ${NODE_VERSION})`);
    log(`${platform}: ${zip} (${(statSync(zip).size / 1e6).toFixed(1)} MB)`);
    built.push({ platform, exe, bytes, zip });
  }
  rmSync(work, { recursive: true, force: true });
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      platforms: { type: 'string', default: 'linux-x64,win-x64' },
      out: { type: 'string', default: join(here, 'out') },
    },
  });
  await buildExecutables({
    platforms: values.platforms.split(',').filter(Boolean),
    out: resolve(values.out),
  });
}
