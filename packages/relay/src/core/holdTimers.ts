import { nextFireAt, type OrderState } from '@kitchen-sync/protocol';
import type { StoredEvent } from '../store/EventStore.js';
import type { LogReader } from '../store/LogReader.js';

export interface HoldTimers {
  /** Learns each committed order's next `fire_at` (or that it has none left). */
  observe(events: readonly StoredEvent[]): void;
  /** Reads the open orders' holds from the log (once, at start). */
  load(): Promise<void>;
  /** Fires every order whose next `fire_at` has come; resolves with how many were fired. */
  fireDue(): Promise<number>;
}

/**
 * When held lines are due. One map of order → earliest `fire_at`, filled from the open orders
 * at start and kept by the commit hook, so a check is a scan of that map and not of the log;
 * the relay runs it every second, and tests after moving their injected clock.
 */
export function createHoldTimers(options: {
  reader: LogReader;
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
  // Orders committed while the start-up read is in flight are newer than what it returns.
  let observedDuringLoad: Set<string> | null = null;

  return {
    async load() {
      observedDuringLoad = new Set();
      try {
        for (const outlet of await options.reader.outlets()) {
          const { orders } = await options.reader.snapshot(outlet, null);
          for (const order of orders) {
            if (!observedDuringLoad.has(order.order_id)) note(order.order_id, order);
          }
        }
      } finally {
        observedDuringLoad = null;
      }
    },
    observe(events) {
      for (const { envelope } of events) {
        if (!envelope.order_id) continue;
        observedDuringLoad?.add(envelope.order_id);
        note(envelope.order_id, envelope.data as OrderState);
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
