import { type Readable, readonly, writable } from '../../store.js';
import type { RelayClock } from './relayClock.js';
import { isLineDone, type Ticket, type TicketLine } from './ticket.js';
import type { TicketBoard } from './ticketBoard.js';
import { createTicketView, type TicketView, type ViewEntry } from './ticketView.js';

export interface StationViewOptions {
  /**
   * The stations this screen cooks for (`item.station`), matched ignoring case and surrounding
   * spaces: a POS's `Wok` is the `wok` screen's, not a station no screen shows.
   */
  stations: readonly string[];
  /** Lines the POS gave no station show here too. Default false. */
  includeUnassigned?: boolean | undefined;
  /** How many bumped tickets `recent` keeps for recall. Default 10. */
  recallSize?: number | undefined;
  /** Wall clock in ms, for the recall window. Default Date.now. */
  now?: (() => number) | undefined;
  /**
   * The relay's clock (`createRelayClock`), which judges the window: wins over `now`, and
   * when it measures a new offset the tickets found bumped are judged again.
   */
  clock?: RelayClock | undefined;
}

/** A ticket on a station screen: only this station's lines, held ones last. */
export interface StationTicket extends ViewEntry {
  /** Every line of this station is ready or cancelled (then it leaves the screen). */
  done: boolean;
}

export interface StationView extends TicketView<StationTicket> {
  /** Tickets this station finished, newest first: what "recall" brings back. */
  readonly recent: Readable<readonly StationTicket[]>;
}

/** A station screen: open tickets with lines for these stations, until those lines are done. */
export function createStationView(board: TicketBoard, options: StationViewOptions): StationView {
  const stations = new Set(options.stations.map(stationKey));
  const includeUnassigned = options.includeUnassigned ?? false;
  const recallSize = options.recallSize ?? 10;
  const project = (ticket: Ticket): StationTicket | null => {
    const entry = projectStation(ticket, stations, includeUnassigned);
    return entry && !entry.done && ticket.open ? entry : null;
  };
  const view = createTicketView(board, project);
  const recent = writable<readonly StationTicket[]>([]);
  // What `recent` offers: the ticket's lines here, when all are done and it is not cancelled.
  const recallable = (ticket: Ticket | null | undefined) => {
    const entry = ticket && projectStation(ticket, stations, includeUnassigned);
    return entry?.done && entry.ticket.order.status !== 'cancelled' ? entry : null;
  };
  // A ticket that leaves because its lines were bumped (not because it was cancelled) is
  // recallable; it leaves the recall list once it is back on the screen.
  const unwatch = view.onEntry((before, after) => {
    const id = (after ?? before)?.ticket.order_id;
    const list = recent.get().filter((entry) => entry.ticket.order_id !== id);
    if (before && !after) {
      const finished = recallable(board.tickets.get(before.ticket.order_id));
      if (finished) {
        recent.set([finished, ...list].slice(0, recallSize));
        return;
      }
    }
    if (list.length !== recent.get().length) recent.set(list);
  });
  // Found already bumped (a reload, a snapshot): recallable while the relay takes it. 6e5 is
  // KITCHEN_LIMITS.RECALL_WINDOW_MS (10 min), a literal because importing it costs the station
  // page ~60 B gzip; the unit test checks the two agree. `Date.now` is read at each call, so
  // fake timers installed after the view still apply.
  const inWindow = (entry: StationTicket) =>
    (options.clock?.now ?? options.now ?? Date.now)() - bumpedAt(entry) <= 6e5;
  const take = (list: StationTicket[]) =>
    recent.set(list.sort((a, b) => bumpedAt(b) - bumpedAt(a)).slice(0, recallSize));
  // A recallable ticket keeps changing after the bump (expo, another station, the order's
  // status): its entry follows, so a recall sends the lines' current versions instead of
  // being answered `stale`; one that is cancelled or leaves the board is no longer offered.
  const unlisten = board.listen({
    change(before, after) {
      const id = (after ?? before)?.order_id;
      const list = recent.get();
      const fresh = recallable(after);
      if (!list.some((entry) => entry.ticket.order_id === id)) {
        if (!before && fresh && inWindow(fresh)) take([...list, fresh]);
        return;
      }
      recent.set(
        fresh
          ? list.map((entry) => (entry.ticket.order_id === id ? fresh : entry))
          : list.filter((entry) => entry.ticket.order_id !== id),
      );
    },
    flush() {},
  });
  // A new offset (the first caught_up after a reload that showed the stored tickets): the
  // window as the tablet's clock judged it was wrong, so every done ticket is judged again.
  const unclock = options.clock?.subscribe(() =>
    take(
      [...board.tickets.values()]
        .map(recallable)
        .filter((entry): entry is StationTicket => !!entry && inWindow(entry)),
    ),
  );
  return {
    ...view,
    recent: readonly(recent),
    stop() {
      unclock?.();
      unlisten();
      unwatch();
      view.stop();
    },
  };
}

/** When a done ticket's lines were bumped: the latest `status_at` of them (all ready). */
const bumpedAt = (entry: StationTicket) =>
  Math.max(...entry.lines.map((line) => Date.parse(line.status_at)));

/** How station names compare: people type them, in POS menus and screen addresses. */
const stationKey = (station: string) => station.trim().toLowerCase();

function projectStation(
  ticket: Ticket,
  stations: ReadonlySet<string>,
  includeUnassigned: boolean,
): StationTicket | null {
  const lines: TicketLine[] = [];
  for (const line of ticket.lines) {
    const key = stationKey(line.station);
    if (stations.has(key) || (includeUnassigned && key === '')) lines.push(line);
  }
  if (lines.length === 0) return null;
  // Held lines last; the sort is stable, so the POS's order stays otherwise.
  lines.sort((a, b) => Number(a.held) - Number(b.held));
  return {
    ticket,
    lines,
    held: lines.every((line) => line.held),
    done: lines.every(isLineDone),
  };
}
