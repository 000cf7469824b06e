// `pnpm start:django`: the demo of `pnpm start`, with the Django integration as central:
// daphne serving integrations/django/testproject (SQLite, channels_redis on a Redis started
// here), the relay, and the kiosk and kitchen pages. Needs Debian's python3-django,
// python3-django-channels, python3-daphne, python3-channels-redis, python3-jwt,
// python3-django-cors-headers and redis-server (see docs/django.md).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portsProblem } from './demoPorts.mjs';
import { demoProcesses, waitFor } from './demoProcesses.mjs';
import { demoSettings } from './demoSettings.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const python = env.KS_PYTHON ?? '/usr/bin/python3';
const { ports, host, secret, skipBuild } = demoSettings(env);
const dataDir = env.KS_DATA_DIR ?? join(root, '.data', 'django-demo');
const packageDir = join(root, 'integrations', 'django');
const projectDir = join(packageDir, 'testproject');

const { children, servers, run, start, kill, stop } = demoProcesses({ root, env });

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

const problem = await portsProblem(ports, host);
if (problem) {
  console.error(problem.replace('pnpm start', 'pnpm start:django'));
  process.exit(1);
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
mkdirSync(join(dataDir, 'relay'), { recursive: true, mode: 0o700 });
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
${lan.join('\n')}${lan.length > 0 ? '\n                 (plain http on another device: no service worker, no offline start there;\n                 see docs/deployment.md, "Running an outlet")' : ''}
Keys: o = kill daphne (central outage) / start it again, k = kill the relay (SIGKILL),
      r = start the relay again, q or Ctrl-C = stop.
`);

if (process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key) => {
    if (key === 'q' || key === '\u0003') void stop(0);
    if (key === 'o' && !kill('daphne')) startDaphne();
    if (key === 'k') kill('relay');
    if (key === 'r' && !children.has('relay')) startRelay();
  });
}
