import '../../shared/page.css';
import './pickup.css';
import { createSocketService, socketOptionsFromSettings } from '@kitchen-sync/client';
import { createKitchenFeed } from '@kitchen-sync/client/feed';
import { readDemoConfig } from '../../shared/demoConfig';
import { showConnectionStatus } from '../../shared/indicators';
import { $, loadOutlet, trackBarHeight } from '../../shared/pageSetup';
import { registerWorker } from '../../shared/serviceWorker';
import { pickupColumns, ReadyWatch, type TenantColumn } from './pickupBoard';
import { ReadyChime } from './readyChime';

const config = readDemoConfig(location);
registerWorker();
trackBarHeight();

// A board token: the relay and central let it read every tenant's orders, without the guests'
// names, phones or notes (the board hangs where guests see it), and change none.
const [settings, tenants] = await loadOutlet(config, { role: 'board', device: 'pickup-board' });
$('#outlet-name').textContent = settings.name ?? `Outlet ${config.outletId}`;
const tenantNames = new Map(tenants.map((t) => [String(t.id), t.name]));

const { outletId, relayUrl, token } = socketOptionsFromSettings(settings);
const socket = createSocketService({ outletId, relayUrl, token, clientId: 'pickup-board' });
// No outbox: the board never sends anything. No new-order alerts: the chime is for "ready".
const feed = createKitchenFeed({
  socket,
  dbName: `kitchen-sync-demo-pickup-${config.outletId}`,
  keepFinishedMs: 60_000,
  alerts: { sound: false, notification: false },
});
const chime = new ReadyChime();
const watch = new ReadyWatch();

function column(col: TenantColumn): HTMLElement {
  const section = document.createElement('section');
  section.className = 'tenant';
  section.dataset.tenantId = col.tenant_id;
  const title = document.createElement('h2');
  title.textContent = col.name;
  section.append(title);
  for (const state of ['ready', 'preparing'] as const) {
    const block = document.createElement('div');
    block.className = `numbers ${state}`;
    const label = document.createElement('h3');
    label.textContent = state === 'ready' ? 'Siap diambil' : 'Sedang disiapkan';
    const list = document.createElement('ul');
    for (const entry of col.numbers.filter((n) => n.state === state)) {
      const li = document.createElement('li');
      li.dataset.testid = 'pickup-number';
      li.dataset.orderId = entry.order_id;
      li.dataset.state = entry.state;
      li.textContent = entry.number;
      list.append(li);
    }
    block.append(label, list);
    section.append(block);
  }
  return section;
}

feed.orders.subscribe((orders) => {
  $('#board').replaceChildren(...pickupColumns(orders, tenantNames).map(column));
  if (watch.turnedReady(orders).length > 0) chime.play();
});
socket.status.subscribe((status) =>
  showConnectionStatus($('#connection-badge'), $('#connection-cause'), status),
);
$('#enable-sound').addEventListener('click', async () => {
  $('#enable-sound').hidden = await chime.unlock();
});

await feed.ready;
document.body.dataset.feed = 'ready';
socket.start();
