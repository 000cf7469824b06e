// `pnpm start`: builds the packages and the three demo pages, then runs relay + central +
// kiosk + kitchen + pickup board until Ctrl-C. Ports come from the environment (see docs/getting-started.md).
// `--lan` (or KS_LAN=1) serves everything over HTTPS for tablets instead: see lanMode.mjs.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoAddresses, probeHost } from './demoAddresses.mjs';
import { portsProblem } from './demoPorts.mjs';
import { demoProcesses, waitFor } from './demoProcesses.mjs';
import { demoSettings } from './demoSettings.mjs';
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
const { ports, host, secret, skipBuild } = demoSettings(env);
const dataDir = env.KS_DATA_DIR ?? join(root, '.data', 'relay');
const lanMode = lanModeRequested(process.argv.slice(2), env);
/** Where each page's build goes; KS_DEMO_PAGES_DIR/<page> serves pages built elsewhere. */
const pagesDir = (page) =>
  env.KS_DEMO_PAGES_DIR
    ? join(resolve(env.KS_DEMO_PAGES_DIR), page)
    : join(root, 'examples', page, 'dist');

const { children, servers, run, start, kill, stop } = demoProcesses({ root, env });
/** Node children, with an IPC channel: central takes its outage toggle over it. */
const startNode = (name, args, options) =>
  start(name, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...options });

// In LAN mode the relay serves the pages: only its port and central's are opened.
const problem = await portsProblem(
  ports,
  host,
  lanMode ? ['relay', 'central'] : ['relay', 'central', 'kiosk', 'kitchen', 'pickup'],
);
if (problem) {
  console.error(problem);
  process.exit(1);
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

// Guests' data and the secret go in it: this user's alone (the relay would say it tightened it).
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
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
    ? startNode('relay', lanRelay.args, { cwd: root, env: { ...relayEnv, ...lanRelay.env } })
    : startNode('relay', [join(root, 'examples', 'relay', 'relay.mjs')], {
        cwd: join(root, 'examples', 'relay'),
        env: relayEnv,
      });
const startCentral = () =>
  startNode('central', ['--import', 'tsx', 'src/main.ts'], {
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
  const caFingerprint = new X509Certificate(readFileSync(tls.ca)).fingerprint256;
  console.log(
    lanBanner({ hosts, ports, centralQuery, kitchenQuery, caFile: tls.ca, caFingerprint }),
  );
} else {
  console.log(`
kitchen-sync demo is running
  kiosk          http://${local}:${ports.kiosk}/${centralQuery}
  kitchen        http://${local}:${ports.kitchen}/${kitchenQuery}  (tenant 1, 2 or 3)
                 stations: ${kitchenQuery}&station=wok , ${kitchenQuery}&station=grill , expo: ${kitchenQuery}&expo
  pickup board   http://${local}:${ports.pickup}/${centralQuery}
  central        http://${local}:${ports.central}/api/products/
  relay health   http://${local}:${ports.relay}/health
${lanLines.join('')}${lanLines.length > 0 ? '                 (plain http on another device: no service worker, no offline start there;\n                 pnpm start -- --lan serves both over HTTPS, see docs/deployment.md)\n' : ''}Keys: o = toggle internet outage (central down/up), k = kill the relay (SIGKILL),
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
    if (key === 'k') kill('relay');
    if (key === 'r' && !children.has('relay')) startRelay();
  });
}
