import { randomUUID } from 'node:crypto';
import type { Order } from '@kitchen-sync/protocol';

/**
 * An order as the protocol has it, for central's checkout and events: central refuses any
 * other (kitchen_sync.payload_rules), as the outlet's relay would.
 */
export function centralOrder(tenant: number, fields: Partial<Order> = {}): Order {
  return {
    order_id: randomUUID(),
    order_number: `C-${tenant}`,
    outlet_id: 1,
    tenant_id: tenant,
    status: 'pending',
    items: [{ product_id: 1, name: 'Es teh', quantity: 1, price: '5000' }],
    total_amount: '5000',
    created_at: '2026-01-03T08:00:00.000Z',
    ...fields,
  };
}
