import type { Order } from '../src/index.js';

export const ORDER_ID = '0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b';
export const EVENT_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** A complete, valid order as a POS would publish it; a fresh object per call. */
export function validOrder(
  overrides: Record<string, unknown> = {},
): Order & Record<string, unknown> {
  return {
    order_id: ORDER_ID,
    order_number: 'OFF-1735891234567-T1',
    outlet_id: 1,
    tenant_id: 3,
    status: 'pending',
    items: [{ product_id: 42, name: 'Nasi goreng', quantity: 2, price: '75000' }],
    total_amount: '150000',
    created_at: '2025-01-03T08:00:34.567Z',
    ...overrides,
  };
}

/** The valid order with one item replaced by `item` merged over the default item. */
export function orderWithItem(item: Record<string, unknown>): Record<string, unknown> {
  const order = validOrder();
  return { ...order, items: [{ ...order.items[0], ...item }] };
}

/**
 * Parses JSON text the way a transport does, so a `"__proto__"` key becomes an own key of
 * the object instead of setting its prototype (as an object literal would).
 */
export function fromJson(text: string): unknown {
  return JSON.parse(text);
}

/** `depth` objects nested inside each other: `{ a: { a: … } }`. */
export function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}
