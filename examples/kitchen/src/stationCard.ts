import type { StationTicket } from '@kitchen-sync/client/feed-views';
import { ageText } from './ageWatch';
import { button, lineList, ticketHead } from './ticketParts';

/** A station's card: its lines only, one bump for all of them (held lines wait for a fire). */
export function stationCard(entry: StationTicket, now: number): HTMLElement {
  const { ticket } = entry;
  const card = document.createElement('article');
  card.className = 'ticket';
  card.dataset.testid = 'order-card';
  card.dataset.orderId = ticket.order_id;
  card.dataset.status = ticket.order.status;
  card.dataset.held = String(entry.held);
  card.append(
    ...ticketHead(ticket, ageText(ticket.received_ms, now)),
    lineList(entry.lines, false),
  );
  const toMake = entry.lines.filter((l) => l.status === 'pending' || l.status === 'preparing');
  if (toMake.length > 0) card.append(button('Bump', 'bump-lines'));
  return card;
}
