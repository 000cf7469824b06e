// `pnpm start:django`: the demo of `pnpm start`, with the Django integration as central:
// daphne serving integrations/django/testproject (SQLite, channels_redis on a Redis started
// here), the relay, and the kiosk and kitchen pages. Needs Debian's python3-django,
// python3-django-channels, python3-daphne, python3-channels-redis, python3-jwt,
// python3-django-cors-headers and redis-server (see docs/django.md).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const python = env.KS_PYTHON ?? '/usr/bin/python3';
const ports = {
  relay: Number(env.RELAY_PORT ?? 3001),
  central: Number(env.CENTRAL_PORT ?? 8000),
  kiosk: Number(env.KIOSK_PORT ?? 5173),
  kitchen: Number(env.KITCHEN_PORT ?? 5174),
  pickup: Number(env.PICKUP_PORT ?? 5175),
};
const host = env.HOST ?? '0.0.0.0';
const secret = env.KS_SECRET ?? 'kitchen-sync-demo-secret-not-for-production';
const dataDir = env.KS_DATA_DIR ?? join(root, '.data', 'django-demo');
const skipBuild = env.SKIP_BUILD === '1';
const packageDir = join(root, 'integrations', 'django');
const projectDir = join(packageDir, 'testproject');

const children = new Map();
const servers = [];
const expectedExits = new Set();
let stopping = false;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
  return result;
}

function start(name, command, args, options = {}) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
    env: { ...env, ...options.env },
  });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) console.log(`[${name}] ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (expectedExits.delete(name)) {
      console.log(`[${name}] stopped (${signal ?? code})`);
      return;
    }
    if (!stopping) {
      console.error(`[${name}] exited (${signal ?? code}); stopping the demo`);
      void stop(1);
    }
  });
  return child;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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

if (!skipBuild) run('pnpm', ['-r', '--filter', './packages/**', 'build']);

const vite = await import('vite');
for (const page of ['kiosk', 'kitchen', 'pickup']) {
  const configFile = join(root, 'examples', page, 'vite.config.ts');
  if (!skipBuild) await vite.build({ configFile, logLevel: 'warn' });
  servers.push(
    await vite.preview({
      configFile,
      logLevel: 'warn',
      preview: { port: ports[page], host, strictPort: true, open: false },
    }),
  );
}

// A fresh database each start: the menu is loaded once, with versions from 1.
rmSync(join(dataDir, 'django'), { recursive: true, force: true });
mkdirSync(join(dataDir, 'django', 'redis'), { recursive: true });
mkdirSync(join(dataDir, 'relay'), { recursive: true });
const redisPort = await freePort();
const djangoEnv = {
  PYTHONPATH: `${packageDir}:${projectDir}`,
  DJANGO_SETTINGS_MODULE: 'testproject.settings',
  KS_DB_ENGINE: 'sqlite',
  KS_DB_NAME: join(dataDir, 'django', 'db.sqlite3'),
  KS_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
  KS_RELAY_SECRET: secret,
  KS_RELAY_URL: '',
  KS_RELAY_PORT: String(ports.relay),
  KS_ALLOWED_HOSTS: '*',
  KS_CORS_ALLOW_ALL: '1',
};
start(
  'redis',
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { cwd: join(dataDir, 'django', 'redis') },
);
const djangoOptions = { cwd: projectDir, env: { ...env, ...djangoEnv } };
run(python, ['-m', 'django', 'migrate', '--noinput', '-v', '0'], djangoOptions);
const menu = run(process.execPath, ['--import', 'tsx', join(packageDir, 'demo', 'exportMenu.ts')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
});
const menuFile = join(dataDir, 'django', 'menu.json');
writeFileSync(menuFile, menu.stdout);
run(python, ['-m', 'django', 'load_demo_menu', menuFile], djangoOptions);

const startDaphne = () =>
  start(
    'daphne',
    python,
    ['-m', 'daphne', '-b', host, '-p', String(ports.central), 'testproject.asgi:application'],
    { cwd: projectDir, env: djangoEnv },
  );
startDaphne();
const startRelay = () =>
  start('relay', process.execPath, [join(root, 'examples', 'relay', 'relay.mjs')], {
    cwd: join(root, 'examples', 'relay'),
    env: {
      KS_PORT: String(ports.relay),
      KS_HOST: host,
      KS_DATA_DIR: join(dataDir, 'relay'),
      KS_SECRET: secret,
      KS_LOG_LEVEL: env.KS_LOG_LEVEL ?? 'warn',
    },
  });
startRelay();

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
const lan = Object.values(networkInterfaces())
  .flat()
  .filter((net) => net && net.family === 'IPv4' && !net.internal)
  .map((net) => `  on the LAN     http://${net.address}:${ports.kiosk}/${centralQuery}`);
console.log(`
kitchen-sync demo is running against Django (daphne + Redis + integrations/django)
  kiosk          http://localhost:${ports.kiosk}/${centralQuery}
  kitchen        http://localhost:${ports.kitchen}/${kitchenQuery}  (tenant 1, 2 or 3)
  pickup board   http://localhost:${ports.pickup}/${centralQuery}
  django         http://localhost:${ports.central}/api/products/
  relay health   http://localhost:${ports.relay}/health
${lan.join('\n')}
Keys: o = kill daphne (central outage) / start it again, k = kill the relay (SIGKILL),
      r = start the relay again, q or Ctrl-C = stop.
`);

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key) => {
    if (key === 'q' || key === '\u0003') void stop(0);
    const daphne = children.get('daphne');
    if (key === 'o' && daphne) {
      expectedExits.add('daphne');
      daphne.kill('SIGKILL');
    } else if (key === 'o') {
      startDaphne();
    }
    const relay = children.get('relay');
    if (key === 'k' && relay) {
      expectedExits.add('relay');
      relay.kill('SIGKILL');
    }
    if (key === 'r' && !relay) startRelay();
  });
}
