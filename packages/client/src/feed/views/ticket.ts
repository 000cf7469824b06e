import { type Id, type ItemStatus, type OrderLine, orderLines } from '@kitchen-sync/protocol';
import type { KitchenOrder } from '../types.js';

/**
 * Where one line stands: the protocol's item status (v1.1, or derived from its order for v1),
 * or `cancelled` when its order was.
 */
export type LineStatus = ItemStatus | 'cancelled';

/** One order item as a kitchen screen shows it. */
export interface TicketLine {
  line_id: string;
  product_id: Id;
  name: string;
  quantity: number;
  modifiers: readonly string[];
  notes: string | null;
  /** `''` when the POS gave the item no station. */
  station: string;
  course: string | number | null;
  status: LineStatus;
  /** Held (hold & fire): waits on the screen, not to be cooked yet. */
  held: boolean;
  /** The line's version: what `order:item_update` and `order:recall` send back. */
  version: number;
  /** A held line's scheduled fire time (ISO), if any. */
  fire_at: string | null;
  /** When the line entered its status (ISO; a v1 line: when its order last changed). */
  status_at: string;
}

/** An order as the views hold it: its lines read once, through the adapter below. */
export interface Ticket {
  order_id: string;
  order_number: string;
  order: KitchenOrder;
  rush: boolean;
  created_ms: number;
  /**
   * When the relay logged the order, on the relay's clock (`received_at`): what a ticket's
   * timer counts from with `createRelayClock`, whichever of the POS, relay and tablet clocks
   * is off. `created_ms` for an order without it (an older relay, central's copy).
   */
  received_ms: number;
  seq: number;
  /** Neither completed nor cancelled. */
  open: boolean;
  lines: readonly TicketLine[];
}

export function toTicket(order: KitchenOrder): Ticket {
  // NaN (no such field, not a time) counts as absent.
  const created = Date.parse(order.created_at) || 0;
  return {
    order_id: order.order_id,
    order_number: order.order_number,
    order,
    rush: order.priority === 'rush',
    created_ms: created,
    received_ms: Date.parse(order.received_at as string) || created,
    seq: order.seq,
    open: order.status !== 'completed' && order.status !== 'cancelled',
    lines: orderLines(order).map((line) => toLine(order, line)),
  };
}

function toLine(order: KitchenOrder, line: OrderLine): TicketLine {
  const status = lineStatus(order, line);
  return {
    line_id: line.line_id,
    product_id: line.product_id,
    name: line.name,
    quantity: line.quantity,
    modifiers: line.modifiers ?? [],
    notes: line.notes ?? null,
    station: line.station ?? '',
    course: line.course ?? null,
    status,
    held: status === 'held',
    version: line.version,
    fire_at: line.fire_at ?? null,
    status_at: line.status_at,
  };
}

/**
 * The one place a line's status is read: the protocol's (a v1 line stands where its order
 * does), and `cancelled` for every line of a cancelled order.
 */
export function lineStatus(order: KitchenOrder, line: OrderLine): LineStatus {
  return order.status === 'cancelled' ? 'cancelled' : line.status;
}

/** Ready or cancelled: nothing left to cook on this line. */
export function isLineDone(line: TicketLine): boolean {
  return line.status === 'ready' || line.status === 'cancelled';
}
