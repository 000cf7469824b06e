import { isLineDone, type Ticket } from './ticket.js';
import type { TicketBoard } from './ticketBoard.js';
import { createTicketView, type TicketView, type ViewEntry } from './ticketView.js';

/** How far one station is on a ticket. */
export interface StationProgress {
  station: string;
  done: number;
  total: number;
}

/** A whole ticket on the expo screen. */
export interface ExpoTicket extends ViewEntry {
  /** Per station, in the order stations first appear on the ticket. */
  stations: readonly StationProgress[];
  /** Every line is done, or the order itself is ready: expo can hand it out. */
  ready: boolean;
}

export type ExpoView = TicketView<ExpoTicket>;

/** The expo screen: every open ticket that is not handed out yet, with per-station progress. */
export function createExpoView(board: TicketBoard): ExpoView {
  return createTicketView(board, projectExpo, true);
}

function projectExpo(ticket: Ticket): ExpoTicket | null {
  if (!ticket.open) return null;
  const progress = new Map<string, StationProgress>();
  let allDone = true;
  let allHeld = true;
  for (const line of ticket.lines) {
    let entry = progress.get(line.station);
    if (!entry) {
      entry = { station: line.station, done: 0, total: 0 };
      progress.set(line.station, entry);
    }
    entry.total += 1;
    if (isLineDone(line)) entry.done += 1;
    else allDone = false;
    if (!line.held) allHeld = false;
  }
  return {
    ticket,
    lines: ticket.lines,
    held: allHeld,
    stations: [...progress.values()],
    ready: allDone || ticket.order.status === 'ready',
  };
}
