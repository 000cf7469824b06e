import type { ExpoTicket } from '@kitchen-sync/client/feed-views';
import { ageText } from './ageWatch';
import { lineList, ticketHead } from './ticketParts';
import { statusButton } from './ticketsView';

/**
 * The whole-order card of the default screen (and the expo screen): every line, per-station
 * progress, and the one order-level bump.
 */
export function orderCard(entry: ExpoTicket, now: number): HTMLElement {
  const { ticket } = entry;
  const order = ticket.order;
  const card = document.createElement('article');
  card.className = 'ticket';
  card.dataset.testid = 'order-card';
  card.dataset.orderId = ticket.order_id;
  card.dataset.status = order.status;
  card.dataset.ready = String(entry.ready);
  card.dataset.held = String(entry.held);
  card.append(...ticketHead(ticket, ageText(ticket.created_ms, now)));

  const status = document.createElement('span');
  status.className = 'status';
  status.dataset.status = order.status;
  status.textContent = order.status;
  const progress = document.createElement('div');
  progress.className = 'progress';
  progress.append(status);
  const stations = entry.stations.filter((s) => s.station !== '');
  if (stations.length > 1 || (stations.length === 1 && order.status !== 'ready')) {
    for (const { station, done, total } of stations) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.dataset.testid = 'station-progress';
      chip.dataset.station = station;
      chip.dataset.done = String(done === total);
      chip.textContent = `${station} ${done}/${total}`;
      progress.append(chip);
    }
  }
  card.append(progress, lineList(entry.lines, stations.length > 1));

  const bump = statusButton(order.status);
  if (bump) card.append(bump);
  return card;
}
