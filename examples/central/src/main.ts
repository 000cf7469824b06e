import { startCentral } from './central.js';

// The demo's shared secret; a real deployment sets KS_SECRET on both central and the relay.
const DEMO_SECRET = 'kitchen-sync-demo-secret-not-for-production';

const env = process.env;
const central = await startCentral({
  port: Number(env.CENTRAL_PORT ?? 8000),
  host: env.CENTRAL_HOST ?? '0.0.0.0',
  relaySecret: env.KS_SECRET ?? DEMO_SECRET,
  relayPort: Number(env.RELAY_PORT ?? 3001),
  ...(env.RELAY_PUBLIC_URL ? { relayUrl: env.RELAY_PUBLIC_URL } : {}),
});
console.log(`central listening on http://127.0.0.1:${central.port}`);

async function setOutage(down: boolean): Promise<void> {
  await central.setOutage(down);
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
