import type { EventEnvelope, Order, OrderStatus } from '@kitchen-sync/protocol';
import { statusEvent } from '../../test/unit/fakes/events.js';

const BASE = Date.UTC(2026, 0, 1, 8);

/** A realistic order: three items, modifiers, a note; `index` spreads created_at. */
export function benchOrder(index: number, tenant: number | string = 1): Order {
  return {
    order_id: crypto.randomUUID(),
    order_number: `B-${index}`,
    outlet_id: 1,
    tenant_id: tenant,
    status: 'pending',
    items: [
      { product_id: 11, name: 'Nasi goreng spesial', quantity: 2, price: '35000' },
      {
        product_id: 27,
        name: 'Es teh manis',
        quantity: 2,
        price: '8000',
        modifiers: ['less sugar'],
      },
      { product_id: 42, name: 'Sate ayam', quantity: 1, price: '30000', notes: 'no peanuts' },
    ],
    total_amount: '116000',
    created_at: new Date(BASE + index * 1_000).toISOString(),
    table: 12,
  };
}

/**
 * A backlog as the relay would send it after a reconnect: new orders, each followed later by
 * preparing → ready → completed, `count` events in all.
 */
export function backlog(count: number, firstSeq: number): EventEnvelope[] {
  const steps: OrderStatus[] = ['pending', 'preparing', 'ready', 'completed'];
  const orders = Array.from({ length: Math.ceil(count / steps.length) }, (_, i) => benchOrder(i));
  const events: EventEnvelope[] = [];
  let seq = firstSeq;
  // Interleaved like a busy service: a wave of new orders, then their status changes.
  for (const [version, status] of steps.entries()) {
    for (const order of orders) {
      if (events.length === count) return events;
      events.push(statusEvent(order, seq++, status, version + 1));
    }
  }
  return events;
}
