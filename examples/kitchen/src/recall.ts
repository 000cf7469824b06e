import type { OrderState } from '@kitchen-sync/protocol';

const KEY = 'kitchen-sync-demo:recalled';

/**
 * `completed` is final in the protocol, so a recall never changes the order on the relay: it
 * puts a finished ticket back on this screen (the guest came back, the cook needs the
 * items again) until the cook closes it.
 */
export class RecallList {
  #ids: Set<string>;
  #storage: Storage;
  #windowMs: number;

  constructor(storage: Storage, windowMs: number) {
    this.#storage = storage;
    this.#windowMs = windowMs;
    try {
      this.#ids = new Set(JSON.parse(storage.getItem(KEY) ?? '[]') as string[]);
    } catch {
      this.#ids = new Set();
    }
  }

  has(orderId: string): boolean {
    return this.#ids.has(orderId);
  }

  recall(orderId: string): void {
    this.#ids.add(orderId);
    this.#save();
  }

  dismiss(orderId: string): void {
    this.#ids.delete(orderId);
    this.#save();
  }

  /** Completed within the window and not already back on the board. */
  candidates(orders: readonly OrderState[], now: number): OrderState[] {
    return orders.filter((order) => {
      if (order.status !== 'completed' || this.#ids.has(order.order_id)) return false;
      const finished = Date.parse(order.updated_at ?? order.created_at);
      return now - finished <= this.#windowMs;
    });
  }

  #save(): void {
    this.#storage.setItem(KEY, JSON.stringify([...this.#ids]));
  }
}
