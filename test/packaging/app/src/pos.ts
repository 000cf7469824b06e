import { createSocketService } from '@kitchen-sync/client';
import { createOrderOutbox } from '@kitchen-sync/client/outbox';
import { createServiceWorkerManager } from '@kitchen-sync/client/sw-manager';
import type { Order } from '@kitchen-sync/protocol';
import { relayConnection } from './connection.js';

const sw = createServiceWorkerManager({ url: '/sw.js' });
const registered = sw.register();
sw.status.subscribe((status) => {
  document.body.dataset.sw = status.active ? 'active' : 'inactive';
});

const { settings, outletId, relayUrl, token } = await relayConnection(location.search);
const socket = createSocketService({ outletId, relayUrl, token, clientId: 'pos-1' });
const outbox = createOrderOutbox({
  socket,
  relayUrl,
  token: settings.relayToken ?? undefined,
  dbName: 'packaging-pos-outbox',
});
socket.start();

const pending = document.querySelector<HTMLOutputElement>('#pending')!;
outbox.pending.subscribe((entries) => {
  pending.value = String(entries.length);
});

let counter = 0;
function nextOrder(): Order {
  counter += 1;
  return {
    order_id: crypto.randomUUID(),
    order_number: `PKG-${counter}`,
    outlet_id: outletId,
    tenant_id: 1,
    status: 'pending',
    items: [{ product_id: 1, name: 'Nasi goreng', quantity: 1, price: '25000' }],
    total_amount: '25000',
    created_at: new Date().toISOString(),
  };
}

const send = document.querySelector<HTMLButtonElement>('#send')!;
send.addEventListener('click', () => void outbox.submit(nextOrder()));
await registered;
send.disabled = false;
