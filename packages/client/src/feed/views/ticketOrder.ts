import type { Ticket } from './ticket.js';

/** What decides where a ticket sits on a screen. */
export interface Placed {
  ticket: Ticket;
  /** Every line this screen shows is held: the ticket waits at the end. */
  held: boolean;
}

/**
 * Rush first, held last, then oldest first; `seq` and `order_id` make it total, so a ticket's
 * place can be found again by binary search.
 */
export function compareTickets(a: Placed, b: Placed): number {
  if (a.ticket.rush !== b.ticket.rush) return a.ticket.rush ? -1 : 1;
  if (a.held !== b.held) return a.held ? 1 : -1;
  return (
    a.ticket.created_ms - b.ticket.created_ms ||
    a.ticket.seq - b.ticket.seq ||
    (a.ticket.order_id < b.ticket.order_id ? -1 : a.ticket.order_id > b.ticket.order_id ? 1 : 0)
  );
}
