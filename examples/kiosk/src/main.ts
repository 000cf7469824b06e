import '../../shared/page.css';
import './kiosk.css';
import { createSocketService, socketOptionsFromSettings, uuidv7 } from '@kitchen-sync/client';
import { createMasterDataService } from '@kitchen-sync/client/master-data';
import { createOrderOutbox } from '@kitchen-sync/client/outbox';
import type { OrderStatus } from '@kitchen-sync/protocol';
import { readDemoConfig } from '../../shared/demoConfig';
import {
  rupiah,
  showBridgeStatus,
  showConnectionStatus,
  showNetworkMode,
} from '../../shared/indicators';
import { ticketLabel } from '../../shared/orderNumber';
import { $, loadOutlet, trackBarHeight, watchNetwork } from '../../shared/pageSetup';
import { registerWorker } from '../../shared/serviceWorker';
import { readBusinessDay } from './businessDay';
import { Cart, lineTotal } from './cart';
import { cartChangeText } from './cartNotice';
import { ordersFromCart, postOrderGroup } from './checkout';
import { indexedDbCounters } from './counterStore';
import { renderMenu } from './menuView';
import { type OrderChange, OrderHistory } from './orderHistory';
import { MenuPricing } from './pricing';
import { QueueNumbers, readTerminal } from './queueNumbers';
import { showRejectedCheckouts } from './rejectedCheckouts';
import { showStaleMenu } from './staleMenuBanner';

const config = readDemoConfig(location);
trackBarHeight();

const { sw, ready: swReady } = registerWorker();

const [settings, tenants] = await loadOutlet(config);
const connection = socketOptionsFromSettings(settings);
const { relayUrl } = connection;

const socket = createSocketService({ ...connection, clientId: `kiosk-${config.outletId}` });
const outbox = createOrderOutbox({
  socket,
  relayUrl,
  token: settings.relayToken ?? undefined,
  dbName: `kitchen-sync-demo-kiosk-${config.outletId}`,
});
const masterData = createMasterDataService({ baseUrl: config.centralUrl });
showStaleMenu($('#stale-menu'), masterData.status);
const network = watchNetwork(config, relayUrl);
const history = new OrderHistory(localStorage);
const pageParams = new URLSearchParams(location.search);
const businessDay = readBusinessDay(pageParams);
for (const param of businessDay.ignored) {
  console.warn(`kiosk: ?${param}= is not readable; queue numbers use the default`);
}
const queueNumbers = new QueueNumbers(
  indexedDbCounters(indexedDB, localStorage),
  config.outletId,
  readTerminal(pageParams),
  businessDay.options,
);
const cart = new Cart();
const tenantNames = new Map(tenants.map((t) => [String(t.id), t.name]));

$('#outlet-name').textContent = settings.name ?? `Outlet ${config.outletId}`;

socket.status.subscribe((status) => {
  showConnectionStatus($('#connection-badge'), $('#connection-cause'), status);
  showBridgeStatus($('#central-upload'), status.bridge);
});
outbox.pending.subscribe((pending) => {
  $('[data-testid="pending-count"]').textContent = String(pending.length);
});
// Which of the device's kiosk tabs sends the orders (one at a time; another takes over when it
// closes or hangs): for support, and for the tests.
outbox.status.subscribe(({ lock, tookOver }) => {
  const node = $('[data-testid="outbox-lock"]');
  node.textContent = lock;
  node.toggleAttribute('data-took-over', tookOver === true);
});

let previousMode: string | null = null;
network.subscribe((mode) => {
  showNetworkMode($('#network-badge'), mode);
  // Central is back: replay the queued central POSTs now rather than at the browser's whim.
  if (mode === 'online' && previousMode !== null && previousMode !== 'online') {
    void swReady.then((registered) => (registered ? sw.syncNow() : undefined)).catch(() => {});
    // And the menu: the outlet's LAN stayed up, so the browser's `online` never fired.
    masterData.preFetchData().catch(() => {});
  }
  previousMode = mode;
});

function renderOrders(): void {
  const items = history.orders.map((order) => {
    const li = document.createElement('li');
    li.dataset.testid = 'order-card';
    li.dataset.orderId = order.order_id;
    li.dataset.status = order.status;
    const text = document.createElement('span');
    text.innerHTML = `<b></b><small></small>`;
    text.querySelector('b')!.textContent = ticketLabel(order);
    const received = order.received && order.status === 'pending' ? ' · diterima dapur' : '';
    text.querySelector('small')!.textContent =
      `${order.tenant_name} · ${rupiah(order.total_amount)}${received}`;
    const badge = document.createElement('span');
    badge.className = 'status';
    badge.dataset.status = order.status;
    badge.textContent = order.rush ? `${order.status} · rush` : order.status;
    li.append(text, badge);
    // The cashier's kitchen commands (protocol v1.1), while the kitchen is still at it.
    if (order.status === 'pending' || order.status === 'preparing') {
      const actions = document.createElement('span');
      actions.className = 'actions';
      if (!order.rush) actions.append(commandButton('Rush', 'order-rush'));
      if (order.held) actions.append(commandButton('Kirim utama', 'order-fire'));
      actions.append(commandButton('Batalkan', 'order-cancel'));
      li.append(actions);
    }
    return li;
  });
  $('#orders').replaceChildren(...items);
}

function commandButton(label: string, testid: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'ghost';
  button.dataset.testid = testid;
  button.textContent = label;
  return button;
}

$('#orders').addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  const orderId = target.closest<HTMLElement>('[data-testid="order-card"]')?.dataset.orderId;
  if (!orderId) return;
  // Through the outbox like an order: queued offline, sent once, refused with a reason.
  if (target.dataset.testid === 'order-rush') {
    void outbox.enqueue('order:rush', { order_id: orderId });
  } else if (target.dataset.testid === 'order-fire') {
    void outbox.enqueue('order:fire', { order_id: orderId });
  } else if (target.dataset.testid === 'order-cancel') {
    // The kitchens show the reason on the cancelled ticket; Cancel on the prompt keeps it.
    const reason = prompt('Alasan pembatalan (tampil di dapur):', 'Pelanggan batal');
    if (reason === null) return;
    const update = { order_id: orderId, status: 'cancelled' as const };
    void outbox.enqueue(
      'order:update',
      reason.trim() ? { ...update, reason: reason.trim() } : update,
    );
  }
});

function renderCart(): void {
  const lines = cart.lines.map((line) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = `${line.quantity} × ${String(line.product.name)}`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'ghost';
    remove.textContent = '−';
    remove.addEventListener('click', () => {
      cart.remove(String(line.product.id));
      renderCart();
    });
    const price = document.createElement('span');
    price.textContent = rupiah(lineTotal(line));
    li.append(name, price, remove);
    return li;
  });
  $('#cart-lines').replaceChildren(...lines);
  $('#cart-total').textContent = rupiah(cart.lines.reduce((sum, l) => sum + lineTotal(l), 0));
  $<HTMLButtonElement>('#place-order').disabled = cart.isEmpty;
}

interface OrderData {
  status?: unknown;
  priority?: unknown;
  items?: Array<{ status?: unknown }>;
}

/** Status, rush and held as the event's order stands (v1.1 events carry the whole order). */
function applyOrder(orderId: string | undefined, data: OrderData | undefined): void {
  if (!orderId || !data || typeof data.status !== 'string') return;
  const change: OrderChange = { status: data.status as OrderStatus };
  if (data.priority !== undefined) change.rush = data.priority === 'rush';
  if (Array.isArray(data.items)) change.held = data.items.some((item) => item.status === 'held');
  if (history.apply(orderId, change)) renderOrders();
}

socket.on('event', (event) => {
  applyOrder(event.order_id, event.data as OrderData | undefined);
  if (
    event.type === 'order_acknowledged' &&
    event.order_id &&
    history.markReceived(event.order_id)
  ) {
    renderOrders();
  }
});
sw.queue.subscribe((queue) => {
  $('[data-testid="central-queue"]').textContent = String(queue?.pending ?? 0);
});
showRejectedCheckouts(sw, {
  count: $('[data-testid="central-rejected"]'),
  section: $('#rejected-checkouts'),
  list: $('#rejected-list'),
  notice: $('#rejected-notice'),
});
sw.status.subscribe(({ unsupportedReason }) => {
  // A page served over plain http has no service worker: checkouts go to central directly.
  if (unsupportedReason) {
    $('[data-testid="central-queue"]').parentElement!.title =
      unsupportedReason === 'insecure_context'
        ? 'No offline queue: this page is not served over https'
        : 'No offline queue: this browser has no service workers';
  }
});
socket.on('sync:snapshot', (snapshot) => {
  for (const order of snapshot.orders) applyOrder(order.order_id, order as OrderData);
});

let pricing = new MenuPricing([], []);
let menuReads = 0;

/**
 * Renders the menu as the cache holds it and brings the cart to it. Runs whenever the cache's
 * version moves (the first sync, the background refresh, a resync after central was restored):
 * a sync only updates the cache, so a kiosk that rendered once would keep selling old prices
 * and sold-out items.
 */
async function showMenu(): Promise<void> {
  const read = ++menuReads;
  const [categories, products, promotions] = await Promise.all([
    masterData.getCategories(),
    masterData.getProducts(),
    masterData.getActivePromotions(),
  ]);
  // Versions move page by page: only the latest read may draw.
  if (read !== menuReads) return;
  pricing = new MenuPricing(products, promotions);
  renderMenu($('#menu'), { tenants, categories, products, pricing });
  const changes = cart.reprice((id) => pricing.offer(id));
  if (changes.length > 0) $('#cart-notice').textContent = cartChangeText(changes);
  renderCart();
}

$('#menu').addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLElement>('[data-testid="cart-add"]');
  const offer = button && pricing.offer(button.dataset.productId ?? '');
  if (!offer) return;
  cart.add(offer);
  $('#cart-notice').textContent = '';
  renderCart();
});

async function loadMenu(): Promise<void> {
  masterData.version.subscribe(() => {
    showMenu().catch((error: unknown) => console.warn('kiosk: menu not readable', error));
  });
  try {
    await masterData.preFetchData();
  } catch {
    // Offline or central down: the cached menu (already shown) is what the kiosk sells from.
  }
}

async function placeOrder(): Promise<void> {
  const button = $<HTMLButtonElement>('#place-order');
  button.disabled = true;
  const customerName = $<HTMLInputElement>('#customer-name').value.trim();
  const now = new Date();
  const displayNumber = await queueNumbers.next(now);
  const orders = ordersFromCart(cart, {
    outletId: config.outletId,
    tenantNames,
    customerName,
    now,
    displayNumber,
    rush: $<HTMLInputElement>('#rush').checked,
    holdMains: $<HTMLInputElement>('#hold-mains').checked,
  });
  // Shown first, so a kitchen's acknowledgement that beats the next submit finds it.
  history.add(
    orders.map((o) => ({
      order_id: o.order_id,
      order_number: o.order_number,
      display_number: displayNumber,
      tenant_name: o.tenant_name ?? String(o.tenant_id),
      status: 'pending',
      total_amount: o.total_amount,
      created_at: o.created_at,
      rush: o.priority === 'rush',
      held: o.hold !== undefined,
    })),
  );
  // The outbox persists before it resolves: from here on a reload or a dead relay loses nothing.
  for (const order of orders) await outbox.submit(order);
  cart.clear();
  $('#cart-notice').textContent = '';
  $<HTMLInputElement>('#customer-name').value = '';
  $<HTMLInputElement>('#rush').checked = false;
  $<HTMLInputElement>('#hold-mains').checked = false;
  renderCart();
  renderOrders();
  postOrderGroup(config.centralUrl, uuidv7(), orders)
    .catch(() => undefined)
    .finally(() => void network.check());
}

$('#place-order').addEventListener('click', () => void placeOrder());

renderCart();
renderOrders();
socket.start();
await loadMenu();
masterData.startBackgroundRefresh();
