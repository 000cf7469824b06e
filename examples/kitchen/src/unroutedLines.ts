import {
  createStationView,
  isLineDone,
  type StationTicket,
  type TicketBoard,
} from '@kitchen-sync/client/feed-views';
import { ticketLabel } from '../../shared/orderNumber';

/**
 * Lines the POS gave no station reach no station screen, only expo: a station screen says
 * how many there are and on which tickets, so a cook does not wait for an order that never
 * shows up. `null` when there are none.
 */
export function unroutedText(list: readonly StationTicket[]): string | null {
  const tickets = list.filter((entry) => entry.lines.some((line) => !isLineDone(line)));
  const count = tickets.reduce(
    (sum, entry) => sum + entry.lines.filter((line) => !isLineDone(line)).length,
    0,
  );
  if (!count) return null;
  const labels = tickets.map((entry) => ticketLabel(entry.ticket.order)).join(', ');
  return (
    `${count} item tanpa station (${labels}): tidak tampil di layar station mana pun, hanya di ` +
    'Expo. Atur station produknya di menu POS.'
  );
}

/** Follows the board's unrouted lines (a view of no station but the blank one). */
export function watchUnroutedLines(
  board: TicketBoard,
  show: (text: string | null) => void,
): () => void {
  const view = createStationView(board, { stations: [], includeUnassigned: true });
  const unsubscribe = view.subscribe((list) => show(unroutedText(list)));
  return () => {
    unsubscribe();
    view.stop();
  };
}
