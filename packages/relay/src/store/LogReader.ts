import type { OrderState } from '@kitchen-sync/protocol';
import type {
  EpochRestart,
  EventStore,
  RetentionPolicy,
  StoredEvent,
  TenantScope,
} from './EventStore.js';

/** The open orders and the head they are current at, read in one consistent view. */
export interface LogSnapshot {
  head: number;
  orders: OrderState[];
}

/**
 * The store as clients' readers see it: asynchronous, because a store on the network
 * (PostgreSQL) cannot answer in the same tick. Writes stay synchronous inside the write queue
 * (see writeQueue.ts); everything that only reads the log (catch-up, long polls, /health,
 * metrics, hold timers at start) goes through this.
 */
export interface LogReader {
  /** Random id of the log; the same on every node that shares the store. */
  readonly epoch: string;
  /** EventStore.restartEpoch, for every node that shares the store. */
  restartEpoch?(seen: string): Promise<EpochRestart>;
  /**
   * Told when the epoch changes while the relay runs, here or (a shared store) on another
   * node: clients told the old one may hold a cursor the log no longer backs.
   */
  onEpochChange?(listener: (epoch: string) => void): void;
  /** Last seq assigned in the outlet (0 when none). */
  head(outlet: string): Promise<number>;
  /** The heads of several outlets in one read (a cluster node checks them every 300 ms). */
  heads(outlets: readonly string[]): Promise<Map<string, number>>;
  /** Highest seq removed by retention (0 when nothing was pruned). */
  prunedThrough(outlet: string): Promise<number>;
  /** EventStore.eventIdAt: the `event_id` at `seq`, undefined when not retained. */
  eventIdAt?(outlet: string, seq: number): Promise<string | undefined>;
  /** Events with seq > since, in seq order, visible to `tenants`, at most `limit`. */
  eventsAfter(
    outlet: string,
    since: number,
    limit: number,
    tenants: TenantScope,
  ): Promise<StoredEvent[]>;
  /** Open orders with the head they reflect, atomically (no commit between the two). */
  snapshot(outlet: string, tenants: TenantScope): Promise<LogSnapshot>;
  outlets(): Promise<string[]>;
  /** The highest head of any outlet (what `/health` reports). */
  maxHead(): Promise<number>;
  countEvents(): Promise<number>;
  /** Drops what the policy no longer retains; resolves with how many events were removed. */
  prune(policy: RetentionPolicy, nowMs: number): Promise<number>;
  getCursor(name: string): Promise<number | undefined>;
  setCursor(name: string, value: number): Promise<void>;
  /**
   * Commits a write that changes nothing a client reads; rejects when the store takes no
   * writes. Only stores whose writes can fail for the whole node (PostgreSQL) have it.
   */
  probeWrite?(): Promise<void>;
}

/**
 * SQLite and memory answer synchronously: each call runs at once and hands back a settled
 * promise, so nothing can commit between the two reads of `snapshot`, and the write path
 * keeps its cost.
 */
export function syncLogReader(store: EventStore): LogReader {
  const settle = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const listeners = new Set<(epoch: string) => void>();
  const restartEpoch = (seen: string): EpochRestart => {
    const restart = store.restartEpoch!(seen);
    if (restart.made) for (const listener of listeners) listener(restart.epoch);
    return restart;
  };
  return {
    get epoch() {
      return store.epoch;
    },
    ...(store.restartEpoch
      ? {
          restartEpoch: (seen: string) => settle(() => restartEpoch(seen)),
          onEpochChange: (listener: (epoch: string) => void) => void listeners.add(listener),
        }
      : {}),
    head: (outlet) => settle(() => store.head(outlet)),
    heads: (outlets) => settle(() => new Map(outlets.map((o) => [o, store.head(o)]))),
    prunedThrough: (outlet) => settle(() => store.prunedThrough(outlet)),
    ...(store.eventIdAt
      ? { eventIdAt: (outlet: string, seq: number) => settle(() => store.eventIdAt!(outlet, seq)) }
      : {}),
    eventsAfter: (outlet, since, limit, tenants) =>
      settle(() => store.eventsAfter(outlet, since, limit, tenants)),
    snapshot: (outlet, tenants) =>
      settle(() => ({ head: store.head(outlet), orders: store.openOrders(outlet, tenants) })),
    outlets: () => settle(() => store.outlets()),
    maxHead: () => settle(() => Math.max(0, ...store.outlets().map((o) => store.head(o)))),
    countEvents: () => settle(() => store.countEvents()),
    prune: (policy, nowMs) => settle(() => store.prune(policy, nowMs)),
    getCursor: (name) => settle(() => store.getCursor(name)),
    setCursor: (name, value) => settle(() => store.setCursor(name, value)),
  };
}
