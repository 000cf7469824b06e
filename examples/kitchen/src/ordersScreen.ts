import type { ExpoTicket } from '@kitchen-sync/client/feed-views';
import type { OrderStatus } from '@kitchen-sync/protocol';
import { ageText } from './ageWatch';
import { heldBumpReason } from './heldBump';
import { lineList, ticketHead } from './ticketParts';
import { statusButton } from './ticketsView';

/**
 * The whole-order card of the default screen (and the expo screen): every line, per-station
 * progress, and the one order-level bump (not offered to ready while a course is held).
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
  card.append(...ticketHead(ticket, ageText(ticket.received_ms, now)));

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
  const waits = bump && heldBumpReason(entry.lines, bump.dataset.next as OrderStatus);
  if (waits) {
    // Not offered: the relay would refuse it (a held course would be served uncooked).
    const note = document.createElement('p');
    note.className = 'bump-waits';
    note.dataset.testid = 'bump-waits';
    note.textContent = waits;
    card.append(note);
  } else if (bump) {
    card.append(bump);
  }
  return card;
}
