// Apps compiled with `exactOptionalPropertyTypes` pass options they may not have (a relay URL
// from settings, a route switched off only in dev) as `T | undefined`; the docs' recipes do.
// exactOptional.test.ts checks this file against the build, with that flag on.
import {
  createNetworkMonitor,
  createSocketService,
  loadOutletSettings,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import { createKitchenFeed } from '@kitchen-sync/client/feed';
import { uuidv7 } from '@kitchen-sync/client/ids';
import { createMasterDataService } from '@kitchen-sync/client/master-data';
import { createOrderOutbox } from '@kitchen-sync/client/outbox';
import { createServiceWorkerManager } from '@kitchen-sync/client/sw-manager';
import type { Order } from '@kitchen-sync/protocol';

declare const dev: boolean;

export async function recipe(device: string): Promise<() => void> {
  // docs/client.md, relayAccess(): an optional field destructured and passed back.
  const { outletId, relayUrl, centralWsUrl, onCentralUnauthorized, token } =
    socketOptionsFromSettings(
      await loadOutletSettings({ outletId: 1, apiUrl: 'https://api.example.com' }),
    );
  const refresh = async (): Promise<string | undefined> => undefined;
  const socket = createSocketService({
    outletId,
    relayUrl,
    centralUrl: dev ? undefined : 'https://api.example.com',
    centralWsUrl: dev ? undefined : centralWsUrl,
    onCentralUnauthorized: dev ? undefined : onCentralUnauthorized,
    token,
    onUnauthorized: dev ? undefined : refresh,
    clientId: dev ? undefined : device,
  });
  const outbox = createOrderOutbox({
    socket,
    relayUrl,
    token,
    refreshToken: dev ? undefined : refresh,
    dbName: dev ? undefined : `outbox-${device}`,
  });
  const feed = createKitchenFeed({ socket, outbox, dbName: dev ? undefined : `feed-${device}` });
  // docs/getting-started.md's SvelteKit module: the relay URL may be unknown.
  const network = createNetworkMonitor({
    centralHealthUrl: dev ? undefined : 'https://api.example.com/health',
    relayUrl,
    intervalMs: dev ? 5_000 : undefined,
  });
  const menu = createMasterDataService({
    baseUrl: 'https://api.example.com',
    dbName: dev ? undefined : `menu-${device}`,
    headers: undefined,
    retry: { attempts: dev ? 1 : undefined },
  });
  const worker = createServiceWorkerManager({ url: '/sw.js', type: dev ? 'module' : undefined });
  void network.check();
  void worker.register();
  return () => {
    void menu.close();
    feed.stop();
    outbox.stop();
    socket.stop();
  };
}

// docs/client.md, the HTTP-only kiosk: no socket, ids from `/ids`.
export async function kiosk(relayUrl: string | undefined, order: Order): Promise<string> {
  const outbox = createOrderOutbox({ relayUrl, token: () => undefined, dbName: 'kiosk-1' });
  return outbox.submit({ ...order, order_id: uuidv7() });
}
