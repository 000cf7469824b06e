import '../../shared/page.css';
import './kitchen.css';
import { createSocketService, socketOptionsFromSettings } from '@kitchen-sync/client';
import { createKitchenFeed, type KitchenOrder } from '@kitchen-sync/client/feed';
import { createOrderOutbox } from '@kitchen-sync/client/outbox';
import type { OrderStatus } from '@kitchen-sync/protocol';
import { readDemoConfig } from '../../shared/demoConfig';
import { showConnectionStatus, showNetworkMode } from '../../shared/indicators';
import { $, loadOutlet, watchNetwork } from '../../shared/pageSetup';
import { registerWorker } from '../../shared/serviceWorker';
import { KitchenAlerts } from './alerts';
import { RecallList } from './recall';
import { refreshAges, shortNumber, ticketCard } from './ticketsView';

const config = readDemoConfig(location);
const params = new URLSearchParams(location.search);
const tenantId = params.get('tenant');
const RECALL_WINDOW_MS = 30 * 60 * 1000;

registerWorker();

// The kitchen's relay token is scoped to its tenant: central mints it for `?tenant=`.
const [settings, tenants] = await loadOutlet(config, tenantId ? { tenant: tenantId } : undefined);

const picker = $<HTMLSelectElement>('#tenant-picker');
picker.replaceChildren(
  new Option('Pilih tenant…', ''),
  ...tenants.map((t) => new Option(t.name, String(t.id), false, String(t.id) === tenantId)),
);
picker.addEventListener('change', () => {
  params.set('tenant', picker.value);
  location.search = params.toString();
});

if (!tenantId) {
  $('#notice').textContent = 'Pilih tenant dapur ini di kanan atas.';
} else {
  await startKitchen(tenantId);
}

async function startKitchen(tenant: string): Promise<void> {
  $('#tenant-name').textContent = tenants.find((t) => String(t.id) === tenant)?.name ?? tenant;
  const { outletId, relayUrl, token } = socketOptionsFromSettings(settings);
  const alerts = new KitchenAlerts();
  // Relay only, no central WebSocket: central's outlet channel carries every tenant's orders,
  // and a kitchen must never receive another tenant's (the relay enforces that by token).
  const socket = createSocketService({ outletId, relayUrl, token, clientId: `kitchen-${tenant}` });
  const outbox = createOrderOutbox({
    socket,
    relayUrl,
    token: settings.relayToken ?? undefined,
    dbName: `kitchen-sync-demo-kitchen-outbox-${config.outletId}-${tenant}`,
  });
  // Connecting hands the feed's stored cursor to the socket: no unsaved event is skipped.
  const feed = createKitchenFeed({
    socket,
    outbox,
    tenants: [tenant],
    dbName: `kitchen-sync-demo-kitchen-${config.outletId}-${tenant}`,
    keepFinishedMs: RECALL_WINDOW_MS,
    playSound: () => alerts.chime(),
    notify: (order) => alerts.notify(order),
  });
  const network = watchNetwork(config, relayUrl);
  const recall = new RecallList(sessionStorage, RECALL_WINDOW_MS);
  let orders: readonly KitchenOrder[] = [];

  const render = (): void => {
    const now = Date.now();
    const onBoard = orders.filter((o) => o.status !== 'completed' || recall.has(o.order_id));
    const board = [...onBoard].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    $('#tickets').replaceChildren(...board.map((o) => ticketCard(o, now, recall.has(o.order_id))));
    const recallItems = recall.candidates(orders, now).map((order) => {
      const li = document.createElement('li');
      li.textContent = shortNumber(order.order_number);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'ghost';
      button.dataset.recall = order.order_id;
      button.textContent = 'Recall';
      li.append(button);
      return li;
    });
    $('#recall').replaceChildren(...recallItems);
  };

  feed.orders.subscribe((next) => {
    orders = next;
    render();
  });
  socket.status.subscribe((status) =>
    showConnectionStatus($('#connection-badge'), $('#connection-cause'), status),
  );
  network.subscribe((mode) => showNetworkMode($('#network-badge'), mode));

  $('#tickets').addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const card = target.closest<HTMLElement>('[data-testid="order-card"]');
    const orderId = card?.dataset.orderId;
    if (!orderId) return;
    if (target.dataset.testid === 'bump' && target.dataset.next) {
      void feed.updateStatus(orderId, target.dataset.next as OrderStatus);
    } else if (target.dataset.action === 'dismiss-recall') {
      recall.dismiss(orderId);
      render();
    }
  });
  $('#recall').addEventListener('click', (event) => {
    const orderId = (event.target as HTMLElement).dataset.recall;
    if (!orderId) return;
    recall.recall(orderId);
    render();
  });
  $('#enable-alerts').addEventListener('click', async () => {
    await alerts.unlock();
    $('#enable-alerts').textContent = alerts.unlocked ? 'Suara aktif' : 'Aktifkan suara';
  });

  setInterval(() => refreshAges($('#tickets'), Date.now()), 1000);
  // Confirms receipt to the relay, so the POS can tell "the kitchen has it" from "sent".
  feed.onNewOrder((order) => void feed.acknowledge(order.order_id).catch(() => {}));
  await feed.ready;
  document.body.dataset.feed = 'ready';
  socket.start();
}
