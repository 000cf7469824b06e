// `pnpm start`: builds the packages and the three demo pages, then runs relay + central +
// kiosk + kitchen + pickup board until Ctrl-C. Ports come from the environment (see docs/getting-started.md).
// `--lan` (or KS_LAN=1) serves everything over HTTPS for tablets instead: see lanMode.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoAddresses, probeHost } from './demoAddresses.mjs';
import {
  lanBanner,
  lanModeRequested,
  lanNames,
  lanRelayCommand,
  tlsFiles,
  waitForTls,
} from './lanMode.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const ports = {
  relay: Number(env.RELAY_PORT ?? 3001),
  central: Number(env.CENTRAL_PORT ?? 8000),
  kiosk: Number(env.KIOSK_PORT ?? 5173),
  kitchen: Number(env.KITCHEN_PORT ?? 5174),
  pickup: Number(env.PICKUP_PORT ?? 5175),
};
const host = env.HOST ?? '0.0.0.0';
const secret = env.KS_SECRET ?? 'kitchen-sync-demo-secret-not-for-production';
const dataDir = env.KS_DATA_DIR ?? join(root, '.data', 'relay');
const skipBuild = env.SKIP_BUILD === '1';
const lanMode = lanModeRequested(process.argv.slice(2), env);
/** Where each page's build goes; KS_DEMO_PAGES_DIR/<page> serves pages built elsewhere. */
const pagesDir = (page) =>
  env.KS_DEMO_PAGES_DIR
    ? join(resolve(env.KS_DEMO_PAGES_DIR), page)
    : join(root, 'examples', page, 'dist');

const children = new Map();
const servers = [];
/** Children killed on purpose from the keyboard: their exit must not stop the demo. */
const expectedExits = new Set();
let stopping = false;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

function start(name, args, options) {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ...options,
    env: { ...env, ...options.env },
  });
  children.set(name, child);
  const prefix = (line) => `[${name}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) console.log(prefix(line));
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (expectedExits.delete(name)) {
      console.log(prefix(`stopped (${signal ?? code})`));
      return;
    }
    if (!stopping) {
      console.error(prefix(`exited (${signal ?? code}); stopping the demo`));
      void stop(1);
    }
  });
  return child;
}

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  const exits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all([...exits, ...servers.map((server) => server.close())]);
  process.exit(code);
}

if (!skipBuild) {
  run('pnpm', ['-r', '--filter', './packages/**', 'build']);
}

const vite = await import('vite');
for (const page of ['kiosk', 'kitchen', 'pickup']) {
  const configFile = join(root, 'examples', page, 'vite.config.ts');
  const build = { outDir: pagesDir(page), emptyOutDir: true };
  if (!skipBuild) await vite.build({ configFile, logLevel: 'warn', build });
  // In LAN mode the relay serves the pages: http ones on a LAN address would break.
  if (lanMode) continue;
  const server = await vite.preview({
    configFile,
    logLevel: 'warn',
    build,
    preview: { port: ports[page], host, strictPort: true, open: false },
  });
  servers.push(server);
}

mkdirSync(dataDir, { recursive: true });
const relayEnv = {
  KS_PORT: String(ports.relay),
  KS_HOST: host,
  KS_DATA_DIR: dataDir,
  KS_SECRET: secret,
  KS_LOG_LEVEL: env.KS_LOG_LEVEL ?? 'warn',
};
const { local, lan } = demoAddresses(host);
const names = lanNames({ onLan: lan.length > 0, env });
const tls = tlsFiles(dataDir);
const lanRelay = lanRelayCommand({ root, host, port: ports.relay, dataDir, names, pagesDir });
const startRelay = () =>
  lanMode
    ? start('relay', lanRelay.args, { cwd: root, env: { ...relayEnv, ...lanRelay.env } })
    : start('relay', [join(root, 'examples', 'relay', 'relay.mjs')], {
        cwd: join(root, 'examples', 'relay'),
        env: relayEnv,
      });
const startCentral = () =>
  start('central', ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(root, 'examples', 'central'),
    env: {
      CENTRAL_PORT: String(ports.central),
      CENTRAL_HOST: host,
      RELAY_PORT: String(ports.relay),
      KS_SECRET: secret,
      // The relay's own certificate covers the same addresses and names as central's URLs.
      ...(lanMode ? { CENTRAL_TLS_CERT: tls.cert, CENTRAL_TLS_KEY: tls.key } : {}),
    },
  });

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop(0));

startRelay();
let central;
try {
  if (lanMode) {
    // Central needs the certificate the relay issues on its first start.
    await waitForTls(`https://${probeHost(host)}:${ports.relay}/health`, tls.ca, 30_000);
    central = startCentral();
    await waitForTls(`https://${probeHost(host)}:${ports.central}/health`, tls.ca, 20_000);
  } else {
    central = startCentral();
    await waitFor(`http://${probeHost(host)}:${ports.relay}/health`, 20_000);
    await waitFor(`http://${probeHost(host)}:${ports.central}/health`, 20_000);
  }
} catch (error) {
  console.error(String(error));
  await stop(1);
}

const centralQuery = ports.central === 8000 ? '' : `?central=${ports.central}`;
const kitchenQuery = centralQuery ? `${centralQuery}&tenant=1` : '?tenant=1';
const lanLines = lan.map(
  (ip) =>
    `  on the LAN     http://${ip}:${ports.kiosk}/${centralQuery} , http://${ip}:${ports.kitchen}/${kitchenQuery}\n`,
);
if (lanMode) {
  const hosts = [...(lan.length > 0 ? lan : [local]), ...names];
  console.log(lanBanner({ hosts, ports, centralQuery, kitchenQuery, caFile: tls.ca }));
} else {
  console.log(`
kitchen-sync demo is running
  kiosk          http://${local}:${ports.kiosk}/${centralQuery}
  kitchen        http://${local}:${ports.kitchen}/${kitchenQuery}  (tenant 1, 2 or 3)
                 stations: ${kitchenQuery}&station=wok , ${kitchenQuery}&station=grill , expo: ${kitchenQuery}&expo
  pickup board   http://${local}:${ports.pickup}/${centralQuery}
  central        http://${local}:${ports.central}/api/products/
  relay health   http://${local}:${ports.relay}/health
${lanLines.join('')}Keys: o = toggle internet outage (central down/up), k = kill the relay (SIGKILL),
      r = start the relay again, q or Ctrl-C = stop.
`);
}

let outage = false;
if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key) => {
    if (key === 'q' || key === '\u0003') void stop(0);
    if (key === 'o') {
      outage = !outage;
      central.send({ outage });
    }
    const relay = children.get('relay');
    if (key === 'k' && relay) {
      expectedExits.add('relay');
      relay.kill('SIGKILL');
    }
    if (key === 'r' && !relay) startRelay();
  });
}
