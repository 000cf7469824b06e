// The reference relay: @kitchen-sync/relay embedded in a Node script. The CLI
// (`kitchen-sync-relay serve`) does the same with flags; embed it like this when the relay
// should start inside an app you already run on the outlet's PC.
import { createRelay, signToken } from '@kitchen-sync/relay';

const env = process.env;
// The demo's shared secret; central signs the browsers' tokens with it too.
const secret = env.KS_SECRET ?? 'kitchen-sync-demo-secret-not-for-production';

const relay = createRelay({
  port: Number(env.KS_PORT ?? 3001),
  host: env.KS_HOST ?? '0.0.0.0',
  dataDir: env.KS_DATA_DIR ?? './data',
  secret,
  logLevel: env.KS_LOG_LEVEL ?? 'info',
});

const { url } = await relay.listen();
console.log(`relay listening on ${url} (health: ${url}/health)`);

if (env.KS_PRINT_TOKENS === '1') {
  const pos = await signToken(secret, { sub: 'demo-pos', role: 'pos', outlet: 1 });
  const kitchen = await signToken(secret, {
    sub: 'demo-kitchen-1',
    role: 'kitchen',
    outlet: 1,
    tenants: [1],
  });
  console.log(`demo POS token:              ${pos}\ndemo kitchen token (tenant 1): ${kitchen}`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => relay.close().then(() => process.exit(0)));
}
