// `pnpm start`: builds the packages and the three demo pages, then runs relay + central +
// kiosk + kitchen + pickup board until Ctrl-C. Ports come from the environment (see docs/getting-started.md).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((net) => net && net.family === 'IPv4' && !net.internal)
    .map((net) => net.address);
}

if (!skipBuild) {
  run('pnpm', ['-r', '--filter', './packages/**', 'build']);
}

const vite = await import('vite');
for (const page of ['kiosk', 'kitchen', 'pickup']) {
  const configFile = join(root, 'examples', page, 'vite.config.ts');
  if (!skipBuild) await vite.build({ configFile, logLevel: 'warn' });
  const server = await vite.preview({
    configFile,
    logLevel: 'warn',
    preview: { port: ports[page], host, strictPort: true, open: false },
  });
  servers.push(server);
}

mkdirSync(dataDir, { recursive: true });
const startRelay = () =>
  start('relay', [join(root, 'examples', 'relay', 'relay.mjs')], {
    cwd: join(root, 'examples', 'relay'),
    env: {
      KS_PORT: String(ports.relay),
      KS_HOST: host,
      KS_DATA_DIR: dataDir,
      KS_SECRET: secret,
      KS_LOG_LEVEL: env.KS_LOG_LEVEL ?? 'warn',
    },
  });
startRelay();
const central = start('central', ['--import', 'tsx', 'src/main.ts'], {
  cwd: join(root, 'examples', 'central'),
  env: {
    CENTRAL_PORT: String(ports.central),
    CENTRAL_HOST: host,
    RELAY_PORT: String(ports.relay),
    KS_SECRET: secret,
  },
});

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void stop(0));

try {
  await waitFor(`http://127.0.0.1:${ports.relay}/health`, 20_000);
  await waitFor(`http://127.0.0.1:${ports.central}/health`, 20_000);
} catch (error) {
  console.error(String(error));
  await stop(1);
}

const centralQuery = ports.central === 8000 ? '' : `?central=${ports.central}`;
const kitchenQuery = centralQuery ? `${centralQuery}&tenant=1` : '?tenant=1';
console.log(`
kitchen-sync demo is running
  kiosk          http://localhost:${ports.kiosk}/${centralQuery}
  kitchen        http://localhost:${ports.kitchen}/${kitchenQuery}  (tenant 1, 2 or 3)
                 stations: ${kitchenQuery}&station=wok , ${kitchenQuery}&station=grill , expo: ${kitchenQuery}&expo
  pickup board   http://localhost:${ports.pickup}/${centralQuery}
  central        http://localhost:${ports.central}/api/products/
  relay health   http://localhost:${ports.relay}/health
${lanAddresses()
  .map(
    (ip) =>
      `  on the LAN     http://${ip}:${ports.kiosk}/${centralQuery} , http://${ip}:${ports.kitchen}/${kitchenQuery}`,
  )
  .join('\n')}
Keys: o = toggle internet outage (central down/up), k = kill the relay (SIGKILL),
      r = start the relay again, q or Ctrl-C = stop.
`);

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
