import type { Order, OrderState, OrderStatus } from '@kitchen-sync/protocol';

let counter = 0;

/** A valid order with a fresh UUID; `overrides` set any field. */
export function makeOrder(overrides: Partial<Order> = {}): Order {
  counter += 1;
  return {
    order_id: crypto.randomUUID(),
    order_number: `T-${counter}`,
    outlet_id: 1,
    tenant_id: 1,
    status: 'pending',
    items: [{ product_id: 7, name: 'Nasi goreng', quantity: 1, price: '25000' }],
    total_amount: '25000',
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, counter % 60)).toISOString(),
    ...overrides,
  };
}

export function makeState(
  order: Order,
  status: OrderStatus = order.status,
  version = 1,
): OrderState {
  return { ...order, status, version };
}
