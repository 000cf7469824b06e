import type { BoardListener, Ticket } from '@kitchen-sync/client/feed-views';
import type { OrderOutbox } from '@kitchen-sync/client/outbox';
import { KITCHEN_LIMITS, type OrderState } from '@kitchen-sync/protocol';

interface Candidate {
  ticket: Ticket;
  bumpedAt: number;
}

/** When the ticket was bumped: its last line going ready (handing it out does not move it). */
function bumpedAt(ticket: Ticket): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const line of ticket.lines) {
    const at = Date.parse(line.status_at);
    if (line.status === 'ready' && at > latest) latest = at;
  }
  if (latest > Number.NEGATIVE_INFINITY) return latest;
  // No time to judge by: it sorts last and is never in the window, as before (NaN).
  return Date.parse(ticket.order.updated_at ?? ticket.order.created_at) || 0;
}

/**
 * Handed-out tickets expo may still recall (the guest came back, the food must be made
 * again): the relay reopens a completed order within `RECALL_WINDOW_MS` of its bump, by its
 * own clock, so `now` is the relay's (`createRelayClock`), not the tablet's. Kept from the
 * board's changes, newest bump first, so a burst costs the tickets it changed and a look
 * costs the few shown, however many handed-out orders the feed keeps for its retention.
 */
export class RecallCandidates implements BoardListener {
  /** Newest bump first (then by id); those still in the window are a prefix. */
  readonly #list: Candidate[] = [];
  readonly #byId = new Map<string, Candidate>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  change(before: Ticket | null, after: Ticket | null): void {
    const id = (after ?? before)?.order_id ?? '';
    const held = this.#byId.get(id);
    if (held) {
      this.#list.splice(this.#indexOf(held), 1);
      this.#byId.delete(id);
    }
    if (after?.order.status !== 'completed') return;
    const candidate = { ticket: after, bumpedAt: bumpedAt(after) };
    this.#list.splice(this.#indexOf(candidate), 0, candidate);
    this.#byId.set(id, candidate);
  }

  /** Binary search: where `candidate` is, or goes. */
  #indexOf(candidate: Candidate): number {
    let low = 0;
    let high = this.#list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.#list[mid] as Candidate;
      const before =
        other.bumpedAt > candidate.bumpedAt ||
        (other.bumpedAt === candidate.bumpedAt &&
          other.ticket.order_id < candidate.ticket.order_id);
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Each burst: the window is judged again too, at the cost of the few tickets shown. */
  flush(): void {
    this.#onChange();
  }

  /** The `size` most recently bumped tickets the relay would still reopen at `now`. */
  shown(now: number, size: number): OrderState[] {
    const list: OrderState[] = [];
    for (const { ticket, bumpedAt } of this.#list) {
      if (list.length === size || now - bumpedAt > KITCHEN_LIMITS.RECALL_WINDOW_MS) break;
      list.push(ticket.order);
    }
    return list;
  }

  order(orderId: string): OrderState | undefined {
    return this.#byId.get(orderId)?.ticket.order;
  }
}

/**
 * Expo's recall of a whole ticket: `order:recall` with the order's version, so the relay
 * reopens it (`preparing`, every line with it) on every screen, the kiosk and the pickup
 * board too. If the ticket changed status since (another recall and a new bump) it is
 * answered `stale` and shows in "not sent"; an ack or a rush in between does not count.
 */
export function recallTicket(outbox: OrderOutbox, order: OrderState) {
  return outbox.enqueue('order:recall', { order_id: order.order_id, version: order.version });
}
