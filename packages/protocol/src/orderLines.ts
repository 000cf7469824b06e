import type { ItemStatus, OrderStatus } from './constants.js';
import { lineIdAt } from './lineIds.js';
import type { Hold } from './schemas/line.js';
import type { Order, OrderItem } from './schemas/order.js';
import type { OrderState } from './schemas/orderState.js';

/** An order item with its v1.1 line state, as a v1.1 relay keeps it. */
export type OrderLine = OrderItem & {
  line_id: string;
  /** Given by the POS: what `order:hold` and `order:fire` name. */
  course?: string | number;
  status: ItemStatus;
  /** Starts at 1, +1 on each change of this line: what a bump's `version` is checked against. */
  version: number;
  /** When the line entered its status (a recall's window counts from a bump). */
  status_at: string;
  /** A held line's scheduled fire time. */
  fire_at?: string;
  /** When a held line was fired. */
  fired_at?: string;
};

const ITEM_STATUS_SET: ReadonlySet<string> = new Set(['held', 'pending', 'preparing', 'ready']);

// A v1 order has no line state: its lines stand where the order does.
function statusFromOrder(status: OrderStatus): ItemStatus {
  if (status === 'preparing') return 'preparing';
  if (status === 'ready' || status === 'completed') return 'ready';
  return 'pending';
}

function hasLineState(item: OrderItem): item is OrderLine {
  return (
    typeof item.line_id === 'string' &&
    typeof item.status === 'string' &&
    ITEM_STATUS_SET.has(item.status) &&
    typeof item.version === 'number' &&
    typeof item.status_at === 'string'
  );
}

/**
 * The lines of any order, v1 or v1.1, without changing it: a v1 order's lines get the derived
 * line id (`${order_id}:${index}`), the order's status mapped to a line status, version 1. A
 * pending order as the POS sent it (central's copy, before a relay opened it) keeps the courses
 * its `hold` names held, so no screen offers a main to cook before it is fired.
 */
export function orderLines(order: Order | OrderState | OpenableOrder): OrderLine[] {
  const since = (order as Partial<OrderState>).updated_at ?? order.created_at;
  const holds = order.status === 'pending' ? ((order as OpenableOrder).hold ?? []) : [];
  // A board's copy of an order has no lines (boardView.ts).
  return (order.items ?? []).map((item, index) =>
    hasLineState(item)
      ? item
      : {
          ...item,
          line_id: lineIdAt(order.order_id, item, index),
          status: isHeldBy(holds, item) ? 'held' : statusFromOrder(order.status),
          version: 1,
          status_at: since,
        },
  );
}

/** An order as it comes to publish: v1.1 adds `hold` (see `PublishedOrderSchema`). */
export type OpenableOrder = Order & { hold?: readonly Hold[] | undefined };

function isHeldBy(holds: readonly Hold[], item: OrderItem): Hold | undefined {
  return holds.find(
    (hold) => hold.course === undefined || String(hold.course) === String(item.course),
  );
}

/**
 * The items of a new order as the relay stores them: line ids given or derived, `pending`
 * (or `held` by the order's `hold`), version 1. Whatever line state a POS sent is replaced.
 */
export function openLines(order: OpenableOrder, nowMs: number): OrderLine[] {
  const at = new Date(nowMs).toISOString();
  const holds = order.hold ?? [];
  return order.items.map((item, index) => {
    const {
      status: _status,
      version: _version,
      status_at: _statusAt,
      fire_at: _fireAt,
      fired_at: _firedAt,
      ...fields
    } = item as Partial<OrderLine>;
    const hold = isHeldBy(holds, item);
    return {
      ...(fields as OrderItem),
      line_id: lineIdAt(order.order_id, item, index),
      status: hold ? 'held' : 'pending',
      version: 1,
      status_at: at,
      ...(hold?.fire_at ? { fire_at: hold.fire_at } : {}),
    };
  });
}
