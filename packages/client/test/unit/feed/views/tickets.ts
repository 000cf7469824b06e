import type { OrderItem, OrderStatus } from '@kitchen-sync/protocol';
import type { KitchenOrder } from '../../../../src/feed/types.js';
import { makeOrder } from '../../fakes/orders.js';

let seq = 0;

/** A kitchen order as the feed publishes it; `minute` is its age offset for sorting. */
export function kitchenOrder(
  items: Array<Partial<OrderItem> & Record<string, unknown>>,
  overrides: Partial<KitchenOrder> & Record<string, unknown> = {},
): KitchenOrder {
  seq += 1;
  const order = makeOrder({
    items: items.map((item, index) => ({
      product_id: index + 1,
      name: `Item ${index + 1}`,
      quantity: 1,
      ...item,
    })),
  });
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
