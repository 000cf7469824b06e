import { closeAll, connectAll } from './clients.js';
import { toMb } from './procStats.js';
import type { RelayProcess } from './relayProcess.js';
import { mintToken } from './tokens.js';

export interface IdleKitchensResult {
  kitchens: number;
  rss_before_mb: number;
  rss_connected_mb: number;
  kb_per_kitchen: number;
  connect_s: number;
}

const SETTLE_MS = 2_000;

/** Relay RSS with `count` kitchen sockets connected, caught up and idle. */
export async function measureIdleKitchens(
  relay: RelayProcess,
  secret: string,
  count: number,
  outletId: number,
  tenantId: number,
): Promise<IdleKitchensResult> {
  const specs = await Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      clientId: `bench-idle-kitchen-${i}`,
      token: await mintToken(secret, {
        sub: `bench-idle-kitchen-${i}`,
        role: 'kitchen',
        outlet: outletId,
        tenants: [tenantId],
      }),
    })),
  );
  const before = relay.rssBytes();
  const started = performance.now();
  const sockets = await connectAll(relay.url, specs);
  const connectSeconds = (performance.now() - started) / 1000;
  try {
    // Presence broadcasts and handshake garbage settle before the reading.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const connected = relay.rssBytes();
    return {
      kitchens: sockets.length,
      rss_before_mb: toMb(before),
      rss_connected_mb: toMb(connected),
      kb_per_kitchen: Math.round((connected - before) / 1024 / count),
      connect_s: Math.round(connectSeconds * 10) / 10,
    };
  } finally {
    closeAll(sockets);
  }
}
