import type { KitchenOrder } from '@kitchen-sync/client/feed';
import { displayNumber } from '../../shared/orderNumber';

/** Where a guest's number stands on the board. */
export type PickupState = 'preparing' | 'ready';

export interface PickupNumber {
  order_id: string;
  number: string;
  state: PickupState;
}

export interface TenantColumn {
  tenant_id: string;
  name: string;
  numbers: PickupNumber[];
}

/**
 * One column per tenant: numbers being prepared (pending or preparing) and ready to collect,
 * oldest first; completed and cancelled orders are gone from the board.
 */
export function pickupColumns(
  orders: readonly KitchenOrder[],
  tenantNames: ReadonlyMap<string, string>,
): TenantColumn[] {
  const columns = new Map<string, TenantColumn>();
  for (const [id, name] of tenantNames) columns.set(id, { tenant_id: id, name, numbers: [] });
  const open = orders.filter((o) => o.status !== 'completed' && o.status !== 'cancelled');
  open.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const order of open) {
    const id = String(order.tenant_id);
    let column = columns.get(id);
    if (!column) {
      column = { tenant_id: id, name: order.tenant_name ?? id, numbers: [] };
      columns.set(id, column);
    }
    column.numbers.push({
      order_id: order.order_id,
      number: displayNumber(order),
      state: order.status === 'ready' ? 'ready' : 'preparing',
    });
  }
  return [...columns.values()];
}

/**
 * Orders that turned ready since the last call: the chime is for a number that changes on
 * screen, not for what was already ready when the board opened.
 */
export class ReadyWatch {
  #ready: Set<string> | null = null;

  turnedReady(orders: readonly KitchenOrder[]): string[] {
    const ready = new Set(orders.filter((o) => o.status === 'ready').map((o) => o.order_id));
    const previous = this.#ready;
    this.#ready = ready;
    if (!previous) return [];
    return [...ready].filter((id) => !previous.has(id));
  }
}
