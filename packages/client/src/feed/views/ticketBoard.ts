import type { Readable } from '../../store.js';
import type { KitchenOrder } from '../types.js';
import { type Ticket, toTicket } from './ticket.js';

/** What a view hears from the board: one call per changed ticket, then one `flush`. */
export interface BoardListener {
  change(before: Ticket | null, after: Ticket | null): void;
  /** The end of a burst: the place to publish once. */
  flush(): void;
}

/**
 * The tickets every view of one screen is built from. The feed publishes its whole list on
 * each burst; the board finds the few orders that changed, so each view updates only those.
 */
export class TicketBoard {
  readonly tickets = new Map<string, Ticket>();
  readonly #listeners = new Set<BoardListener>();

  /** Follows a feed's `orders` store until the returned function is called. */
  connect(orders: Readable<readonly KitchenOrder[]>): () => void {
    return orders.subscribe((list) => this.sync(list));
  }

  /** Makes the board hold exactly `orders`, telling the views only about what differs. */
  sync(orders: readonly KitchenOrder[]): void {
    const seen = new Set<string>();
    for (const order of orders) {
      seen.add(order.order_id);
      const held = this.tickets.get(order.order_id);
      if (held && isSame(held.order, order)) continue;
      this.#put(held ?? null, toTicket(order));
    }
    if (seen.size !== this.tickets.size) {
      for (const [id, ticket] of this.tickets) if (!seen.has(id)) this.#drop(ticket);
    }
    this.#flush();
  }

  /** One order changed (or arrived). */
  upsert(order: KitchenOrder): void {
    this.#put(this.tickets.get(order.order_id) ?? null, toTicket(order));
    this.#flush();
  }

  remove(orderId: string): void {
    const held = this.tickets.get(orderId);
    if (!held) return;
    this.#drop(held);
    this.#flush();
  }

  /** Adds a view; it hears every ticket already held at once. */
  listen(listener: BoardListener): () => void {
    this.#listeners.add(listener);
    for (const ticket of this.tickets.values()) listener.change(null, ticket);
    listener.flush();
    return () => this.#listeners.delete(listener);
  }

  #put(before: Ticket | null, after: Ticket): void {
    this.tickets.set(after.order_id, after);
    for (const listener of this.#listeners) listener.change(before, after);
  }

  #drop(ticket: Ticket): void {
    this.tickets.delete(ticket.order_id);
    for (const listener of this.#listeners) listener.change(ticket, null);
  }

  #flush(): void {
    for (const listener of this.#listeners) listener.flush();
  }
}

/**
 * The feed keeps the object of an order a burst left alone; another source may rebuild them
 * all: an order whose version, status and marks are the same is the same (a v1.1 item update
 * bumps the version too).
 */
function isSame(a: KitchenOrder, b: KitchenOrder): boolean {
  return (
    a === b ||
    (a.version === b.version &&
      a.status === b.status &&
      a.pending === b.pending &&
      a.orphaned === b.orphaned &&
      a.seq === b.seq)
  );
}
