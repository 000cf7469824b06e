import { type Readable, readonly, writable } from '../../store.js';
import { SortedList } from './sortedList.js';
import type { Ticket, TicketLine } from './ticket.js';
import type { TicketBoard } from './ticketBoard.js';
import { compareTickets, type Placed } from './ticketOrder.js';

/** What every view's entries have: a ticket, the lines this screen shows, where it sits. */
export interface ViewEntry extends Placed {
  lines: readonly TicketLine[];
}

/** A sorted, live list of one screen's tickets (Svelte store contract). */
export interface TicketView<E extends ViewEntry> extends Readable<readonly E[]> {
  /** Each entry that changed, as it was and as it is (`null`: not on this view). */
  onEntry(fn: (before: E | null, after: E | null) => void): () => void;
  stop(): void;
}

/**
 * A view is a projection of the board's tickets: `project` says what a ticket looks like on
 * this screen, or `null` when it is not on it. Entries are kept sorted as they change.
 */
export function createTicketView<E extends ViewEntry>(
  board: TicketBoard,
  project: (ticket: Ticket) => E | null,
  /**
   * Take every new version of an order, an ack too. Expo recalls a whole ticket with the
   * order's version, so its entry must not keep an older one (the relay answers `stale`); a
   * station sends its lines' versions and skips changes it does not show.
   */
  everyVersion = false,
): TicketView<E> {
  const entries = new Map<string, E>();
  const sorted = new SortedList<E>(compareTickets);
  const store = writable<readonly E[]>([]);
  const entryListeners = new Set<(before: E | null, after: E | null) => void>();
  let dirty = false;

  const unlisten = board.listen({
    change(_before, after) {
      const id = (after ?? _before)?.order_id;
      if (id === undefined) return;
      const was = entries.get(id) ?? null;
      const now = after ? project(after) : null;
      if (!was && !now) return;
      // Another station's line, an acknowledgement: nothing this screen shows changed.
      if (
        was &&
        now &&
        looksSame(was, now) &&
        (!everyVersion || was.ticket.order.version === now.ticket.order.version)
      )
        return;
      if (was) {
        sorted.remove(was);
        entries.delete(id);
      }
      if (now) {
        sorted.insert(now);
        entries.set(id, now);
      }
      dirty = true;
      for (const fn of entryListeners) fn(was, now);
    },
    flush() {
      if (!dirty) return;
      dirty = false;
      store.set(sorted.items.slice());
    },
  });

  return {
    ...readonly(store),
    onEntry(fn) {
      entryListeners.add(fn);
      return () => entryListeners.delete(fn);
    },
    stop() {
      unlisten();
      entryListeners.clear();
    },
  };
}

/** Same place, same order status and marks, same lines at the same versions. */
function looksSame(a: ViewEntry, b: ViewEntry): boolean {
  const x = a.ticket;
  const y = b.ticket;
  if (
    a.held !== b.held ||
    x.rush !== y.rush ||
    x.seq !== y.seq ||
    x.order.status !== y.order.status ||
    x.order.pending !== y.order.pending ||
    x.order.orphaned !== y.order.orphaned ||
    a.lines.length !== b.lines.length
  ) {
    return false;
  }
  return a.lines.every((line, i) => {
    const other = b.lines[i];
    return (
      other !== undefined &&
      line.line_id === other.line_id &&
      line.status === other.status &&
      line.version === other.version &&
      line.fire_at === other.fire_at
    );
  });
}
