import type { OrderItem, OrderStatus } from '@kitchen-sync/protocol';
import type { KitchenOrder } from '../../../../src/feed/types.js';
import { makeOrder } from '../../fakes/orders.js';

let seq = 0;

/** A kitchen order as the feed publishes it, each one created 1 ms after the one before. */
export function kitchenOrder(
  items: Array<Partial<OrderItem> & Record<string, unknown>>,
  overrides: Partial<KitchenOrder> & Record<string, unknown> = {},
): KitchenOrder {
  seq += 1;
  const order = makeOrder();
  order.items = items.map((item, index) => ({
    product_id: index + 1,
    name: `Item ${index + 1}`,
    quantity: 1,
    ...item,
    // A line with a status is a v1.1 line: it carries the line state the relay keeps.
    ...(typeof item.status === 'string'
      ? {
          line_id: item.line_id ?? `${order.order_id}:${index}`,
          version: 1,
          status_at: order.created_at,
        }
      : {}),
  }));
  const status: OrderStatus = overrides.status ?? 'pending';
  return {
    ...order,
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + seq).toISOString(),
    version: 1,
    seq,
    pending: false,
    confirmed_status: status,
    orphaned: false,
    ...overrides,
  } as KitchenOrder;
}

/** The same order, changed, one version on. */
export function next(
  order: KitchenOrder,
  changes: Partial<KitchenOrder> & Record<string, unknown>,
): KitchenOrder {
  return { ...order, ...changes, version: order.version + 1 } as KitchenOrder;
}

/** The same order with some of its lines changed (v1.1 line state), one version on. */
export function withLines(
  order: KitchenOrder,
  change: (item: Record<string, unknown>, index: number) => Record<string, unknown>,
): KitchenOrder {
  return next(order, {
    items: order.items.map((item, index) => {
      const line = {
        version: 1,
        status_at: order.created_at,
        line_id: `${order.order_id}:${index}`,
        ...item,
      };
      return change(line, index);
    }),
  } as never);
}
