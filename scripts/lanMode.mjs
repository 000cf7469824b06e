// `pnpm start -- --lan` (or `KS_LAN=1 pnpm start`): the demo as tablets on the outlet's LAN
// need it. Pages served over plain http from a LAN address are not a secure context (no
// service worker, no crypto.randomUUID), and an https page may not call an http relay or
// central, so here the relay serves both pages over HTTPS with its own outlet CA, and central
// answers over HTTPS with the relay's certificate.
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** `--lan` on the command line (`pnpm start -- --lan` passes it through) or `KS_LAN=1`. */
export function lanModeRequested(argv, env) {
  return argv.includes('--lan') || ['1', 'true', 'yes'].includes((env.KS_LAN ?? '').toLowerCase());
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Host names for the relay's certificate: this machine's mDNS name (what tablets can type
 * instead of an IP), only when the demo listens beyond loopback, plus any in `KS_NAME`
 * (comma separated, as the relay CLI reads it). The relay always adds `localhost`.
 */
export function lanNames({ onLan, env, machineName = hostname() }) {
  const own = machineName.split('.')[0]?.toLowerCase() ?? '';
  const extra = (env.KS_NAME ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return [...new Set([...(onLan && LABEL.test(own) ? [`${own}.local`] : []), ...extra])];
}

/** Where `--tls auto` keeps the outlet CA and the relay's certificate. */
export function tlsFiles(dataDir) {
  const dir = resolve(dataDir, 'tls');
  return {
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'relay.crt'),
    key: join(dir, 'relay.key'),
  };
}

/**
 * The node arguments and extra environment that run `kitchen-sync-relay serve` with TLS and
 * both pages. The package's bin when the CLI is built; otherwise (SKIP_BUILD=1 on a fresh
 * clone) the sources through tsx, mapped to the workspace's sources by the base tsconfig.
 */
export function lanRelayCommand({ root, host, port, dataDir, names, pagesDir }) {
  const relay = join(root, 'packages', 'relay');
  const [entry, env] = existsSync(join(relay, 'dist', 'cli.js'))
    ? [[join(relay, 'bin', 'kitchen-sync-relay.js')], {}]
    : [
        ['--import', 'tsx', join(relay, 'src', 'cli.ts')],
        { TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      ];
  const args = [
    ...entry,
    'serve',
    '--host',
    host,
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--tls',
    'auto',
    ...names.flatMap((name) => ['--name', name]),
    '--app',
    `kiosk=${pagesDir('kiosk')}`,
    '--app',
    `kitchen=${pagesDir('kitchen')}`,
    '--app',
    `pickup=${pagesDir('pickup')}`,
  ];
  return { args, env };
}

/** Resolves once `url` answers 2xx over TLS checked against the outlet CA in `caFile`. */
export async function waitForTls(url, caFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // The relay writes the CA on its first start; until then nothing can be checked.
    if (existsSync(caFile) && (await answersOk(url, readFileSync(caFile)))) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function answersOk(url, ca) {
  return new Promise((done) => {
    const request = get(url, { ca, timeout: 1000 }, (response) => {
      response.resume();
      done(response.statusCode >= 200 && response.statusCode < 300);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => done(false));
  });
}

/** What `pnpm start -- --lan` prints once everything answers. */
export function lanBanner({ hosts, ports, centralQuery, kitchenQuery, caFile, caFingerprint }) {
  const blocks = hosts.map((host) => {
    const relay = `https://${host}:${ports.relay}`;
    return [
      `  ${host}`,
      `    kiosk      ${relay}/kiosk/${centralQuery}`,
      `    kitchen    ${relay}/kitchen/${kitchenQuery}  (tenant 1, 2 or 3; &station=wok, &expo)`,
      `    pickup     ${relay}/pickup/${centralQuery}`,
      `    setup      ${relay}/setup  (CA download, QR code, per-device steps)`,
      `    central    https://${host}:${ports.central}/api/products/`,
    ].join('\n');
  });
  const first = hosts[0] ?? 'localhost';
  return `
kitchen-sync demo is running in LAN mode (HTTPS, pages served by the relay)
${blocks.join('\n')}
Outlet CA certificate: ${caFile}
  (also at https://${first}:${ports.relay}/ca.crt)
  SHA-256 ${caFingerprint}
  (/setup on a tablet must show the same before you trust it)
Trust it once on each tablet (open /setup on it; per platform: docs/deployment.md),
otherwise the browser refuses the pages and the relay.
Keys: o = toggle internet outage (central down/up), k = kill the relay (SIGKILL),
      r = start the relay again, q or Ctrl-C = stop.
`;
}
