import type { OrderStatus } from '@kitchen-sync/protocol';

export interface PlacedOrder {
  order_id: string;
  order_number: string;
  /** The guest's queue number; absent in lists stored before the kiosk minted one. */
  display_number?: string;
  tenant_name: string;
  status: OrderStatus;
  total_amount: string;
  created_at: string;
  /** A kitchen confirmed it has the order on screen. */
  received?: boolean;
  rush?: boolean;
  /** Some lines are held (hold & fire) until the cashier fires them. */
  held?: boolean;
}

/** What the relay's events say about an order, as far as this list shows it. */
export interface OrderChange {
  status?: OrderStatus;
  rush?: boolean;
  held?: boolean;
}

const KEY = 'kitchen-sync-demo:kiosk-orders';
const KEEP = 20;

/**
 * The guest-facing "your orders" list. localStorage is enough here: the outbox holds the
 * orders that matter until the relay has them; this only remembers what to show.
 */
export class OrderHistory {
  #orders: PlacedOrder[];
  #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
    try {
      this.#orders = JSON.parse(storage.getItem(KEY) ?? '[]') as PlacedOrder[];
    } catch {
      this.#orders = [];
    }
  }

  get orders(): readonly PlacedOrder[] {
    return this.#orders;
  }

  add(orders: PlacedOrder[]): void {
    this.#orders = [...orders, ...this.#orders].slice(0, KEEP);
    this.#save();
  }

  /** Applies what an event or snapshot says; returns true when anything shown changed. */
  apply(orderId: string, change: OrderChange): boolean {
    const order = this.#orders.find((o) => o.order_id === orderId);
    if (!order) return false;
    let changed = false;
    for (const key of ['status', 'rush', 'held'] as const) {
      const value = change[key];
      if (value === undefined || order[key] === value) continue;
      (order as unknown as Record<string, unknown>)[key] = value;
      changed = true;
    }
    if (changed) this.#save();
    return changed;
  }

  /** Returns true when this is news. */
  markReceived(orderId: string): boolean {
    const order = this.#orders.find((o) => o.order_id === orderId);
    if (!order || order.received) return false;
    order.received = true;
    this.#save();
    return true;
  }

  #save(): void {
    this.#storage.setItem(KEY, JSON.stringify(this.#orders));
  }
}
