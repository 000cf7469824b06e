import '../../shared/page.css';
import './kitchen.css';
import { createSocketService, socketOptionsFromSettings } from '@kitchen-sync/client';
import { createKitchenFeed, type KitchenFeed } from '@kitchen-sync/client/feed';
import {
  bumpLines,
  createAllDayCounts,
  createBumpBar,
  createExpoView,
  createRelayClock,
  createStationView,
  createTicketClock,
  type ExpoTicket,
  type RelayClock,
  recallLines,
  type StationTicket,
  type StationView,
  TicketBoard,
} from '@kitchen-sync/client/feed-views';
import { createOrderOutbox, type OrderOutbox } from '@kitchen-sync/client/outbox';
import type { OrderState, OrderStatus } from '@kitchen-sync/protocol';
import { readDemoConfig } from '../../shared/demoConfig';
import { showBridgeStatus, showConnectionStatus, showNetworkMode } from '../../shared/indicators';
import { ticketLabel } from '../../shared/orderNumber';
import { $, loadOutlet, trackBarHeight, watchNetwork } from '../../shared/pageSetup';
import { registerWorker } from '../../shared/serviceWorker';
import { AgeWatch } from './ageWatch';
import { KitchenAlerts } from './alerts';
import { renderAllDay } from './allDayPanel';
import { showCancellations } from './cancelPanel';
import { showClockWarning } from './clockWarning';
import { heldBumpReason } from './heldBump';
import { KeyedCards } from './keyedCards';
import { readMode, readThresholds, type ScreenMode } from './mode';
import { forgetOtherTenants } from './movedTablet';
import { orderCard } from './ordersScreen';
import { RecallCandidates, recallTicket } from './recall';
import { showRejected } from './rejectedPanel';
import { stationCard } from './stationCard';
import { TapGuard } from './tapGuard';
import { NEXT_STATUS, stepVersion } from './ticketsView';
import { watchUnroutedLines } from './unroutedLines';

/** Marks the bump bar's selected card (the cards are rebuilt, so after each render too). */
function showSelected(orderId: string | null): void {
  for (const card of document.querySelectorAll<HTMLElement>('#tickets [data-selected]')) {
    delete card.dataset.selected;
  }
  const card = orderId
    ? document.querySelector<HTMLElement>(`#tickets [data-order-id="${orderId}"]`)
    : null;
  if (card) card.dataset.selected = 'true';
}

const config = readDemoConfig(location);
const params = new URLSearchParams(location.search);
const tenantId = params.get('tenant');
const mode = readMode(params);
const RECALL_WINDOW_MS = 30 * 60 * 1000;
/** Handed-out tickets the recall list offers, most recently bumped first. */
const RECALL_LIST_SIZE = 10;

registerWorker();
trackBarHeight();
document.body.dataset.mode = mode.kind;

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

function modeLabel(screen: ScreenMode): string {
  if (screen.kind === 'station') return `Station ${screen.stations.join(' + ')}`;
  return screen.kind === 'expo' ? 'Expo' : 'Semua pesanan';
}

async function startKitchen(tenant: string): Promise<void> {
  // Before this tenant's stores open: a tablet moved here keeps nothing of its old tenant.
  await forgetOtherTenants(config.outletId, tenant).catch(() => {});
  const tenantName = tenants.find((t) => String(t.id) === tenant)?.name ?? tenant;
  $('#tenant-name').textContent = `${tenantName} · ${modeLabel(mode)}`;
  const connection = socketOptionsFromSettings(settings);
  const { relayUrl } = connection;
  const alerts = new KitchenAlerts();
  // The relay and central both: with the outlet's PC down, orders still come from central. The
  // settings' `websocket_url` carries this kitchen's token, which central scopes to its tenant
  // as the relay does, so no other tenant's order reaches this screen from either. The socket
  // service shows each event once, whichever link brings it first.
  // Each screen of a tenant has its own client id and databases (the default one keeps the
  // names it always had, so an upgraded tablet keeps its stored orders).
  const screen =
    mode.kind === 'station'
      ? `-station-${mode.stations.join('+')}`
      : mode.kind === 'expo'
        ? '-expo'
        : '';
  const socket = createSocketService({ ...connection, clientId: `kitchen-${tenant}${screen}` });
  const outbox = createOrderOutbox({
    socket,
    relayUrl,
    token: settings.relayToken ?? undefined,
    dbName: `kitchen-sync-demo-kitchen-outbox-${config.outletId}-${tenant}${screen}`,
  });
  // Connecting hands the feed's stored cursor to the socket: no unsaved event is skipped.
  const feed = createKitchenFeed({
    socket,
    outbox,
    tenants: [tenant],
    outletId: config.outletId,
    dbName: `kitchen-sync-demo-kitchen-${config.outletId}-${tenant}${screen}`,
    keepFinishedMs: RECALL_WINDOW_MS,
    playSound: () => alerts.chime(),
    notify: (order) => alerts.notify(order),
  });
  const network = watchNetwork(config, relayUrl);

  // One board and one clock for the screen; the views and every ticket's timer hang on them.
  // The clock is the relay's (measured from what the socket brings): the relay judges the
  // recall window on it, and a tablet an hour off must not offer what it would refuse.
  const board = new TicketBoard();
  // Timers count from the relay's `received_at` on this clock: right whichever clock is off.
  const relayClock = createRelayClock(socket);
  relayClock.subscribe((offset) => showClockWarning($('#clock-warning'), offset));
  const clock = createTicketClock({ ...readThresholds(params), now: relayClock.now });
  const ages = new AgeWatch(clock, $('#tickets'));
  const counts =
    mode.kind === 'station'
      ? createAllDayCounts(startStationScreen(board, mode.stations, outbox, ages, relayClock))
      : createAllDayCounts(startOrdersScreen(board, feed, outbox, ages, relayClock));
  counts.subscribe((list) => renderAllDay($('#all-day'), list));
  // A bump that did not land (refused, or overtaken while this tablet was offline) stays in
  // sight until the cook sends it again or drops it.
  showRejected($('#rejected'), outbox, () => feed.orders.get());
  showCancellations(board, mode, $('#cancelled'), (notice) => alerts.cancelled(notice));
  board.connect(feed.orders);

  socket.status.subscribe((status) => {
    showConnectionStatus($('#connection-badge'), $('#connection-cause'), status);
    showBridgeStatus($('#central-upload'), status.bridge);
  });
  network.subscribe((networkMode) => showNetworkMode($('#network-badge'), networkMode));
  $('#enable-alerts').addEventListener('click', async () => {
    await alerts.unlock();
    $('#enable-alerts').textContent = alerts.unlocked ? 'Suara aktif' : 'Aktifkan suara';
  });

  // Confirms receipt to the relay, so the POS can tell "the kitchen has it" from "sent".
  feed.onNewOrder((order) => void feed.acknowledge(order.order_id).catch(() => {}));
  await feed.ready;
  document.body.dataset.feed = 'ready';
  socket.start();
}

/** A station screen: its lines, one bump per ticket, recall of what it bumped. */
function startStationScreen(
  board: TicketBoard,
  stations: string[],
  outbox: OrderOutbox,
  ages: AgeWatch,
  relayClock: RelayClock,
): StationView {
  const view = createStationView(board, { stations, clock: relayClock });
  // Lines with no station reach no station screen: say so here, not only on expo.
  watchUnroutedLines(board, (text) => {
    $('#unrouted').hidden = text === null;
    $('#unrouted').textContent = text ?? '';
  });
  const cards = new KeyedCards<StationTicket>($('#tickets'), ages, (entry) =>
    stationCard(entry, relayClock.now()),
  );
  // A bump bar (or a keyboard): 1–9 and arrows select a ticket, Enter bumps its lines.
  const bar = createBumpBar({ view, onBump: (entry) => bumpLines(outbox, entry) });
  const taps = new TapGuard($('#tickets'));
  view.subscribe((list) =>
    taps.render(() => {
      cards.render(list);
      showSelected(bar.selected.get());
    }),
  );
  bar.selected.subscribe(showSelected);
  view.recent.subscribe((recent) => {
    $('#recall').replaceChildren(
      ...recent.map((entry) => {
        const li = document.createElement('li');
        li.textContent = ticketLabel(entry.ticket.order);
        const recall = document.createElement('button');
        recall.type = 'button';
        recall.className = 'ghost';
        recall.dataset.recallLines = entry.ticket.order_id;
        recall.textContent = 'Recall';
        li.append(recall);
        return li;
      }),
    );
  });
  $('#tickets').addEventListener('click', (event) => {
    const button = taps.tap(event, '[data-testid="bump-lines"]') as HTMLButtonElement | null;
    const orderId = button?.closest<HTMLElement>('[data-testid="order-card"]')?.dataset.orderId;
    const entry = orderId ? cards.entry(orderId) : undefined;
    if (button && entry) {
      button.disabled = true;
      void bumpLines(outbox, entry);
    }
  });
  $('#recall').addEventListener('click', (event) => {
    const orderId = (event.target as HTMLElement).dataset.recallLines;
    const entry = view.recent.get().find((e) => e.ticket.order_id === orderId);
    if (entry) void recallLines(outbox, entry);
  });
  return view;
}

/**
 * The default screen and the expo screen: whole tickets with per-station progress and the
 * order-level bump; a handed-out ticket can be recalled (at the relay) within its window.
 */
function startOrdersScreen(
  board: TicketBoard,
  feed: KitchenFeed,
  outbox: OrderOutbox,
  ages: AgeWatch,
  relayClock: RelayClock,
) {
  const view = createExpoView(board);
  const cards = new KeyedCards<ExpoTicket>($('#tickets'), ages, (entry) =>
    orderCard(entry, relayClock.now()),
  );
  let offered: readonly OrderState[] = [];
  const showRecall = (): void => {
    const list = candidates.shown(relayClock.now(), RECALL_LIST_SIZE);
    // Rebuilt only when what it offers changed: a new ticket leaves the list alone.
    if (
      list.length === offered.length &&
      list.every((o, i) => o.order_id === offered[i]?.order_id)
    ) {
      return;
    }
    offered = list;
    $('#recall').replaceChildren(
      ...list.map((order) => {
        const li = document.createElement('li');
        li.textContent = ticketLabel(order);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'ghost';
        button.dataset.recall = order.order_id;
        button.textContent = 'Recall';
        li.append(button);
        return li;
      }),
    );
  };
  const candidates = new RecallCandidates(showRecall);
  board.listen(candidates);
  const taps = new TapGuard($('#tickets'));
  // A new offset (the first caught_up after a reload) judges the window again.
  relayClock.subscribe(showRecall);
  // 1–9 and arrows select a ticket, Enter moves it one status on.
  const bar = createBumpBar({
    view,
    onBump: (entry) => {
      const { order } = entry.ticket;
      const next = NEXT_STATUS[order.status];
      // The card says why it offers no bump (a held course); the bar does not send one either.
      if (next && !heldBumpReason(entry.lines, next.status)) {
        void feed.updateStatus(order.order_id, next.status, stepVersion(order));
      }
    },
  });
  bar.selected.subscribe(showSelected);
  view.subscribe((list) =>
    taps.render(() => {
      cards.render(list);
      showSelected(bar.selected.get());
    }),
  );

  $('#tickets').addEventListener('click', (event) => {
    const button = taps.tap(event, '[data-testid="bump"]');
    const orderId = button?.closest<HTMLElement>('[data-testid="order-card"]')?.dataset.orderId;
    if (orderId && button?.dataset.next) {
      const order = cards.entry(orderId)?.ticket.order;
      void feed.updateStatus(
        orderId,
        button.dataset.next as OrderStatus,
        order && stepVersion(order),
      );
    }
  });
  // The relay reopens the order: it comes back on this view (and everywhere) with its event.
  $('#recall').addEventListener('click', (event) => {
    const target = event.target as HTMLButtonElement;
    const order = candidates.order(target.dataset.recall ?? '');
    if (!order) return;
    target.disabled = true;
    void recallTicket(outbox, order).catch(() => {
      target.disabled = false;
    });
  });
  return view;
}
