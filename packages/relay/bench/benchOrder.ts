import { randomUUID } from 'node:crypto';
import type { Order } from '@kitchen-sync/protocol';

const MENU = [
  { product_id: 101, name: 'Nasi Goreng Spesial', price: '45000' },
  { product_id: 102, name: 'Es Teh Manis', price: '8000' },
  { product_id: 'sate-ayam', name: 'Sate Ayam (10 tusuk)', price: '38000' },
  { product_id: 104, name: 'Mie Ayam Bakso', price: '32000' },
] as const;

/** A realistic three-item order (~600 bytes of JSON), the payload every scenario publishes. */
export function makeBenchOrder(n: number, outletId: number, tenantId: number): Order {
  const items = [0, 1, 2].map((k) => {
    const product = MENU[(n + k) % MENU.length]!;
    return {
      ...product,
      quantity: 1 + ((n + k) % 3),
      modifiers: k === 0 ? ['pedas', 'tanpa bawang'] : [],
      station: k === 1 ? 'drinks' : 'hot',
    };
  });
  const total = items.reduce((sum, item) => sum + Number(item.price) * item.quantity, 0);
  return {
    order_id: randomUUID(),
    order_number: `BENCH-${n}`,
    outlet_id: outletId,
    tenant_id: tenantId,
    tenant_name: 'Bench Kitchen',
    status: 'pending',
    items,
    total_amount: String(total),
    created_at: new Date().toISOString(),
    source: 'bench',
    table: (n % 40) + 1,
    priority: n % 10 === 0 ? 'rush' : 'normal',
  };
}
