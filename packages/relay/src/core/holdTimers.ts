import { nextFireAt, type OrderState } from '@kitchen-sync/protocol';
import type { EventStore, StoredEvent } from '../store/EventStore.js';

export interface HoldTimers {
  /** Learns each committed order's next `fire_at` (or that it has none left). */
  observe(events: readonly StoredEvent[]): void;
  /** Fires every order whose next `fire_at` has come; resolves with how many were fired. */
  fireDue(): Promise<number>;
}

/**
 * When held lines are due. One map of order → earliest `fire_at`, filled from the open orders
 * at start and kept by the commit hook, so a check is a scan of that map and not of the log;
 * the relay runs it every second, and tests after moving their injected clock.
 */
export function createHoldTimers(options: {
  store: EventStore;
  now: () => number;
  fire: (orderId: string) => Promise<boolean>;
  onError?: (error: unknown) => void;
}): HoldTimers {
  const due = new Map<string, number>();
  const note = (orderId: string, state: OrderState) => {
    const at = nextFireAt(state);
    if (at === undefined) due.delete(orderId);
    else due.set(orderId, at);
  };
  for (const outlet of options.store.outlets()) {
    for (const order of options.store.openOrders(outlet, null)) note(order.order_id, order);
  }

  return {
    observe(events) {
      for (const { envelope } of events) {
        if (envelope.order_id) note(envelope.order_id, envelope.data as OrderState);
      }
    },
    async fireDue() {
      const nowMs = options.now();
      const ready = [...due].filter(([, at]) => at <= nowMs);
      let fired = 0;
      for (const [orderId, at] of ready) {
        due.delete(orderId);
        try {
          if (await options.fire(orderId)) fired++;
        } catch (error) {
          // Kept for the next check: a full disk must not lose a scheduled fire.
          if (!due.has(orderId)) due.set(orderId, at);
          options.onError?.(error);
        }
      }
      return fired;
    },
  };
}
