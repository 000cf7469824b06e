import type { Id, OrderItem } from '@kitchen-sync/protocol';
import type { KitchenOrder } from '../types.js';

/** Where one line stands on the line's own state machine (protocol v1.1) or its order's (v1). */
export type LineStatus = 'pending' | 'preparing' | 'ready' | 'cancelled';

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
}

/** An order as the views hold it: its lines read once, through the adapter below. */
export interface Ticket {
  order_id: string;
  order_number: string;
  order: KitchenOrder;
  rush: boolean;
  created_ms: number;
  seq: number;
  /** Neither completed nor cancelled. */
  open: boolean;
  lines: readonly TicketLine[];
}

const LINE_STATUSES = new Set<string>(['pending', 'preparing', 'ready', 'cancelled']);

/** Loose v1.1 fields a newer POS or relay may put on an item; v1 orders have none of them. */
type ItemFields = OrderItem & {
  line_id?: unknown;
  status?: unknown;
  held?: unknown;
  course?: unknown;
};
type OrderFields = KitchenOrder & { held?: unknown };

export function toTicket(order: KitchenOrder): Ticket {
  const created = Date.parse(order.created_at);
  return {
    order_id: order.order_id,
    order_number: order.order_number,
    order,
    rush: order.priority === 'rush',
    created_ms: Number.isNaN(created) ? 0 : created,
    seq: order.seq,
    open: order.status !== 'completed' && order.status !== 'cancelled',
    lines: order.items.map((item, index) => toLine(order, item as ItemFields, index)),
  };
}

function toLine(order: OrderFields, item: ItemFields, index: number): TicketLine {
  return {
    line_id: typeof item.line_id === 'string' ? item.line_id : `${order.order_id}:${index}`,
    product_id: item.product_id,
    name: item.name,
    quantity: item.quantity,
    modifiers: item.modifiers ?? [],
    notes: item.notes ?? null,
    station: item.station ?? '',
    course: typeof item.course === 'string' || typeof item.course === 'number' ? item.course : null,
    status: lineStatus(order, item),
    held: order.held === true || item.held === true,
  };
}

/**
 * The one place a line's status is read. A v1.1 line carries its own; a v1 line follows its
 * order: a ready or completed order has every line ready, a cancelled one every line cancelled.
 */
export function lineStatus(
  order: KitchenOrder,
  item: OrderItem & { status?: unknown },
): LineStatus {
  if (order.status === 'cancelled') return 'cancelled';
  if (order.status === 'ready' || order.status === 'completed') {
    return item.status === 'cancelled' ? 'cancelled' : 'ready';
  }
  if (typeof item.status === 'string' && LINE_STATUSES.has(item.status)) {
    return item.status as LineStatus;
  }
  return order.status === 'preparing' ? 'preparing' : 'pending';
}

/** Ready or cancelled: nothing left to cook on this line. */
export function isLineDone(line: TicketLine): boolean {
  return line.status === 'ready' || line.status === 'cancelled';
}
