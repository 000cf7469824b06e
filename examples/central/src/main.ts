import { KitchenSyncError } from '@kitchen-sync/protocol';
import { startCentral } from './central.js';
import { followCertificateFiles, readTlsPair } from './certificateFiles.js';

// The demo's shared secret; a real deployment sets KS_SECRET on both central and the relay.
const DEMO_SECRET = 'kitchen-sync-demo-secret-not-for-production';
// Central's own socket secret, which no relay holds (Django: SOCKET_TOKEN_SECRET).
const DEMO_SOCKET_SECRET = 'kitchen-sync-demo-central-socket-secret-not-for-production';

const env = process.env;
// `pnpm start -- --lan` passes the relay's certificate, so https pages can reach central.
if (Boolean(env.CENTRAL_TLS_CERT) !== Boolean(env.CENTRAL_TLS_KEY)) {
  console.error('central: CENTRAL_TLS_CERT and CENTRAL_TLS_KEY go together [tls_key_missing]');
  process.exit(2);
}
const tlsFiles =
  env.CENTRAL_TLS_CERT && env.CENTRAL_TLS_KEY
    ? { cert: env.CENTRAL_TLS_CERT, key: env.CENTRAL_TLS_KEY }
    : undefined;
const tls = tlsFiles ? readTlsPair(tlsFiles) : undefined;
const host = env.CENTRAL_HOST ?? '0.0.0.0';
const central = await startCentral({
  port: Number(env.CENTRAL_PORT ?? 8000),
  host,
  relaySecret: env.KS_SECRET ?? DEMO_SECRET,
  socketSecret: env.KS_SOCKET_TOKEN_SECRET ?? DEMO_SOCKET_SECRET,
  relayPort: Number(env.RELAY_PORT ?? 3001),
  ...(env.RELAY_PUBLIC_URL ? { relayUrl: env.RELAY_PUBLIC_URL } : {}),
  ...(tls ? { tls } : {}),
}).catch((error: unknown) => {
  if (!(error instanceof KitchenSyncError)) throw error;
  console.error(`central: ${error.message} [${error.code}]`);
  process.exit(2);
});

// The relay re-issues its certificate when the PC's address changes: new tablets opening the
// new address get the new one from central too, without restarting the demo.
if (tlsFiles) {
  followCertificateFiles(
    tlsFiles,
    (pair) => {
      central.setTls(pair);
      console.log(`central: serving the renewed certificate from ${tlsFiles.cert}`);
    },
    {
      onError: (error) =>
        console.error(
          `central: the renewed certificate does not load yet, kept the old one: ${error}`,
        ),
    },
  );
}

// Run alone (no `pnpm start` holding its IPC channel), an outage closes the only listener and
// Node would exit: this timer keeps central alive until the signal that brings it back.
let outageKeepAlive: NodeJS.Timeout | undefined;

async function setOutage(down: boolean): Promise<void> {
  // Before the listener closes: with nothing left to wait for, Node exits at once.
  if (down) outageKeepAlive ??= setInterval(() => undefined, 60_000);
  await central.setOutage(down);
  if (!down) {
    clearInterval(outageKeepAlive);
    outageKeepAlive = undefined;
  }
  console.log(down ? 'central: internet outage (refusing connections)' : 'central: back online');
  process.send?.({ outage: down });
}

// `pnpm start` toggles the outage over IPC; by hand: `kill -USR2 <pid>`.
process.on('message', (message: { outage?: unknown }) => {
  if (typeof message?.outage === 'boolean') void setOutage(message.outage);
});
process.on('SIGUSR2', () => void setOutage(!central.isDown));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void central.close().then(() => process.exit(0));
  });
}

// Last: whoever reads this line may signal at once, so every handler is in place by then.
const shownHost = host.includes(':') ? `[${host}]` : host;
console.log(`central listening on ${tls ? 'https' : 'http'}://${shownHost}:${central.port}`);
