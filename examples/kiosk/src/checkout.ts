import { uuidv7 } from '@kitchen-sync/client';
import type { Order } from '@kitchen-sync/protocol';
import { type Cart, lineTotal } from './cart';

export interface CheckoutContext {
  outletId: number;
  tenantNames: Map<string, string>;
  customerName: string;
  now: Date;
  /** The checkout's queue number (`QueueNumbers`): every tenant's order of it carries it. */
  displayNumber: string;
  /** The cashier marked the order rush: it jumps the kitchens' queues. */
  rush?: boolean;
  /** Mains (course 2) wait on the station screens until the cashier fires them. */
  holdMains?: boolean;
}

const MAINS_COURSE = 2;

/** One kitchen order per tenant; the ids are minted here, once, and reused on every retry. */
export function ordersFromCart(cart: Cart, context: CheckoutContext): Order[] {
  const stamp = context.now.getTime();
  return [...cart.byTenant()].map(([tenantId, lines]) => {
    const order: Order = {
      order_id: uuidv7(stamp),
      order_number: `OFF-${stamp}-T${tenantId}`,
      display_number: context.displayNumber,
      outlet_id: context.outletId,
      tenant_id: Number(tenantId),
      status: 'pending',
      items: lines.map((line) => ({
        product_id: line.product.id,
        name: String(line.product.name ?? line.product.id),
        quantity: line.quantity,
        // What the guest was shown and pays: the promotion's price when one runs.
        price: String(line.unitPrice),
        ...(typeof line.product.station === 'string' ? { station: line.product.station } : {}),
        ...(typeof line.product.course === 'number' ? { course: line.product.course } : {}),
      })),
      total_amount: String(lines.reduce((sum, line) => sum + lineTotal(line), 0)),
      created_at: context.now.toISOString(),
      source: 'kiosk',
    };
    const tenantName = context.tenantNames.get(tenantId);
    if (tenantName) order.tenant_name = tenantName;
    if (context.customerName) order.customer_name = context.customerName;
    if (context.rush) order.priority = 'rush';
    // Held only where the order has mains and something else to start with.
    const courses = new Set(order.items.map((item) => item.course));
    if (context.holdMains && courses.has(MAINS_COURSE) && courses.size > 1) {
      order.hold = [{ course: MAINS_COURSE }];
    }
    return order;
  });
}

/**
 * The central copy of the checkout. The service worker queues this POST while central is
 * unreachable and replays it with the same `Idempotency-Key`, so central books it once.
 */
export async function postOrderGroup(
  centralUrl: string,
  groupId: string,
  orders: Order[],
): Promise<Response> {
  const first = orders[0];
  return fetch(`${centralUrl}/api/public/order-groups/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': groupId },
    body: JSON.stringify({
      outlet_id: first?.outlet_id,
      customer_name: first?.customer_name,
      orders,
    }),
  });
}
