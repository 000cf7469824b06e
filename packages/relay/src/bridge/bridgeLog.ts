import type { EventStore } from '../store/EventStore.js';

/** An outlet's last seq, and the highest seq retention removed. */
export interface LogPosition {
  head: number;
  prunedThrough: number;
}

/**
 * What the bridge reads of the log and keeps beside it, asynchronously: a PostgreSQL store
 * answers over the network, and its cursors are shared by every node of the cluster (the
 * node that takes the bridge over resumes where the last one stopped). SQLite and memory
 * answer at once (`storeBridgeLog`).
 */
export interface BridgeLog {
  position(outlet: string): Promise<LogPosition>;
  /** The envelopes after `since` as stored (JSON text), every tenant, at most `limit`. */
  envelopeTextsAfter(outlet: string, since: number, limit: number): Promise<string[]>;
  /** When the first event after `since` was logged (its `tsMs`); undefined when none. */
  firstTsAfter(outlet: string, since: number): Promise<number | undefined>;
  getCursor(name: string): Promise<number | undefined>;
  setCursor(name: string, value: number): Promise<void>;
  /** Whether the log holds the order (open, or finished and not yet pruned). */
  hasOrder(orderId: string): Promise<boolean>;
  /** The outlet of a finished order retention removed, while its id is remembered. */
  prunedOrderOutlet(orderId: string): Promise<string | undefined>;
}

/** The bridge's reads on a store that answers synchronously (SQLite, memory). */
export function storeBridgeLog(store: EventStore): BridgeLog {
  const settle = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    position: (outlet) =>
      settle(() => ({ head: store.head(outlet), prunedThrough: store.prunedThrough(outlet) })),
    envelopeTextsAfter: (outlet, since, limit) =>
      settle(() =>
        store.envelopeTextsAfter
          ? store.envelopeTextsAfter(outlet, since, limit)
          : store
              .eventsAfter(outlet, since, limit, null)
              .map((event) => JSON.stringify(event.envelope)),
      ),
    firstTsAfter: (outlet, since) =>
      settle(() => store.eventsAfter(outlet, since, 1, null)[0]?.tsMs),
    getCursor: (name) => settle(() => store.getCursor(name)),
    setCursor: (name, value) => settle(() => store.setCursor(name, value)),
    hasOrder: (orderId) => settle(() => store.getOrder(orderId) !== undefined),
    prunedOrderOutlet: (orderId) => settle(() => store.getPrunedOrder?.(orderId)?.outlet),
  };
}
