import { createSocketService } from '@kitchen-sync/client';
import { createKitchenFeed } from '@kitchen-sync/client/feed';
import { createOrderOutbox } from '@kitchen-sync/client/outbox';
import { mount } from 'svelte';
import { relayConnection } from './connection.js';
import KitchenScreen from './KitchenScreen.svelte';

const { settings, outletId, relayUrl, token } = await relayConnection(location.search);
const socket = createSocketService({ outletId, relayUrl, token, clientId: 'kds-1' });
const outbox = createOrderOutbox({
  socket,
  relayUrl,
  token: settings.relayToken ?? undefined,
  dbName: 'packaging-kds-outbox',
});
const feed = createKitchenFeed({ socket, outbox, tenants: [1], dbName: 'packaging-kds-feed' });
feed.onNewOrder((order) => void feed.acknowledge(order.order_id).catch(() => {}));
await feed.ready.catch(() => {});
socket.start();

mount(KitchenScreen, {
  target: document.querySelector('#app')!,
  props: { kitchen: { socket, feed } },
});
