import type { EventEnvelope, EventType, OrderState, OrderStatus } from '@kitchen-sync/protocol';

/** One logged event plus the keys the store indexes it by (ids compared by string form). */
export interface StoredEvent {
  outlet: string;
  tenant: string;
  tsMs: number;
  envelope: EventEnvelope & { seq: number };
}

export type NewEvent = Omit<StoredEvent, 'envelope'> & { envelope: Omit<EventEnvelope, 'seq'> };

/** An order as the relay holds it, with the seqs that make idempotent answers possible. */
export interface StoredOrder {
  orderId: string;
  outlet: string;
  tenant: string;
  state: OrderState;
  /** Seq of its `new_order` event: the answer to a duplicate publish. */
  createdSeq: number;
  /** Seq of the event that set the current status: the answer to a repeated status. */
  statusSeq: number;
  updatedMs: number;
}

/**
 * What the store keeps of a finished order once retention removed it: its id is the
 * idempotency key, and without it a POS retry (its ack lost) or central's log read again
 * after a restore made the order a new ticket. Its content is gone.
 */
export interface PrunedOrder {
  orderId: string;
  outlet: string;
  tenant: string;
  /** `completed` or `cancelled`. */
  status: OrderStatus;
  /** Seq of its `new_order` event: the answer to a re-publish. */
  createdSeq: number;
  /** Seq of the event that finished it. */
  statusSeq: number;
  /** When it was finished (its last `updatedMs`). */
  finishedMs: number;
}

/**
 * How long a pruned order's id is remembered after retention removed it: longer than any POS
 * keeps retrying an order (its outbox, a till off over a long weekend), and a week of
 * orders is a few MB at most.
 */
export const PRUNED_ORDER_IDS_KEPT_MS = 7 * 24 * 3_600_000;
/**
 * At most this many pruned ids per outlet, the newest kept: bounds the table whatever the
 * traffic (ten times the default retention's events, far above a week of a busy outlet).
 */
export const MAX_PRUNED_ORDER_IDS = 100_000;

/**
 * An event retention removed while its order stays stored (an open order, or a finished one
 * not yet pruned): its `event_id` is how a command's retry (its ack lost) is told from a new
 * command, and without it the retry was applied again (a fired course held once more).
 * Kept while the order is, forgotten with it.
 */
export interface PrunedEvent {
  eventId: string;
  orderId: string;
  type: EventType;
  /** Its seq (no longer in the log): the answer to the retry. */
  seq: number;
  /** The order's `version` after it. */
  version: number;
}

/**
 * At most this many pruned event ids per order, the newest kept: an order open all day, its
 * lines changed again and again, must not grow the table without end. A retry comes minutes
 * after its command, not hundreds of commands later.
 */
export const MAX_PRUNED_EVENT_IDS_PER_ORDER = 256;

export interface RetentionPolicy {
  maxAgeMs: number;
  maxEvents: number;
  /** How long ids of pruned orders stay known (default PRUNED_ORDER_IDS_KEPT_MS). */
  prunedIdsKeptMs?: number;
  /** How many ids of pruned orders an outlet keeps at most (default MAX_PRUNED_ORDER_IDS). */
  maxPrunedIds?: number;
  /** How many ids of pruned events an order keeps at most (default MAX_PRUNED_EVENT_IDS_PER_ORDER). */
  maxPrunedEventIds?: number;
  /**
   * A shared store (PostgreSQL) keeps the outlet's events after this named cursor (the bridge's
   * upload cursor: central has not confirmed them) whichever node prunes. A store of one relay
   * has the policy widened by its uplink instead.
   */
  keepAfterCursor?: { outlet: string; cursor: string };
}

/** What `restartEpoch` did: the epoch the log has now, and whether this call gave it. */
export interface EpochRestart {
  epoch: string;
  made: boolean;
}

/** Which tenants a reader may see; `null` = every tenant of the outlet. */
export type TenantScope = readonly string[] | null;

/**
 * The durable log and the open-order state. Synchronous on purpose: a relay reads the head
 * and the backlog in one uninterrupted step, so no commit can slip between them.
 * Writes happen only inside `transaction`, which the write queue opens once per tick.
 */
export interface EventStore {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  /** For `kind: 'sqlite'`: which SQLite library runs it. */
  readonly engine?: 'node:sqlite' | 'better-sqlite3';
  /**
   * Random id given to the log when it was created; unchanged across restarts. A new one when
   * the log is found to have gone back (`restartEpoch`): every client then re-syncs.
   */
  readonly epoch: string;
  /**
   * The log went back behind what a client saw under `seen` (a restored backup, a disk that
   * lost its last writes): gives it a new epoch, unless it has left `seen` already. Stores
   * that cannot go back while they run (memory) leave it out.
   */
  restartEpoch?(seen: string): EpochRestart;
  /** Runs `fn` atomically; nested calls are savepoints (a failed one leaves the rest intact). */
  transaction<T>(fn: () => T): T;
  /** Appends one event at the outlet's next seq and returns it with that seq. */
  append(event: NewEvent): StoredEvent;
  putOrder(order: StoredOrder): void;
  putAck(orderId: string, kitchenId: string, seq: number): void;
  getOrder(orderId: string): StoredOrder | undefined;
  getEvent(eventId: string): StoredEvent | undefined;
  getAck(orderId: string, kitchenId: string): number | undefined;
  /**
   * A finished order retention removed, while its id is remembered (RetentionPolicy). The
   * relay's stores have it; a store of your own without it forgets pruned ids, as all did.
   */
  getPrunedOrder?(orderId: string): PrunedOrder | undefined;
  /**
   * An event retention removed whose order is still stored (PrunedEvent). Without it a retried
   * command of an open order is new once its first event was pruned, as with every store before.
   */
  getPrunedEvent?(eventId: string): PrunedEvent | undefined;
  /**
   * The `event_id` logged at `seq` of the outlet; undefined when retention removed it or the
   * log does not reach it. A client's `since_event` is checked against it (catchUp.ts). A
   * store of your own without it cannot tell a log that went back below the head.
   */
  eventIdAt?(outlet: string, seq: number): string | undefined;
  /** Last seq assigned in the outlet (0 when none). */
  head(outlet: string): number;
  /** Highest seq removed by retention (0 when nothing was pruned). */
  prunedThrough(outlet: string): number;
  /** Events with seq > since, in seq order, visible to `tenants`, at most `limit`. */
  eventsAfter(outlet: string, since: number, limit: number, tenants: TenantScope): StoredEvent[];
  /**
   * What a worker thread needs to open its own connection to the store's file (SQLite on a
   * file only): `source` defines `openReadConnection(filename)` (SqliteDriver.workerSource).
   */
  readonly workerAccess?: { source: string; filename: string };
  /** The JSON text of the envelopes after `since` as stored, every tenant (the uplink's batch). */
  envelopeTextsAfter?(outlet: string, since: number, limit: number): string[];
  /** Orders not yet completed or cancelled, oldest first. */
  openOrders(outlet: string, tenants: TenantScope): OrderState[];
  outlets(): string[];
  /**
   * Drops what the policy no longer retains; returns how many events were removed. Finished
   * orders whose events are gone leave a `PrunedOrder`, itself dropped by the policy; events
   * of orders that stay leave a `PrunedEvent`, dropped with their order.
   */
  prune(policy: RetentionPolicy, nowMs: number): number;
  countEvents(): number;
  /** A named position kept beside the log (the bridge's upload cursor); undefined if unset. */
  getCursor(name: string): number | undefined;
  /** Stores a named position durably (its own statement: never inside a write tick). */
  setCursor(name: string, value: number): void;
  close(): void | Promise<void>;
}
