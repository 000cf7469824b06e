import {
  canTransition,
  type EventEnvelope,
  type Id,
  type OrderStatus,
} from '@kitchen-sync/protocol';
import { KitchenSyncError } from '../errors.js';
import { uuidv7 } from '../ids/uuidv7.js';
import {
  Disposables,
  type Environment,
  type EnvironmentOptions,
  resolveEnvironment,
} from '../lib/environment.js';
import { Listeners } from '../lib/listeners.js';
import type { OrderOutbox } from '../outbox/orderOutbox.js';
import type { OutboxEntry, RejectedEntry } from '../outbox/types.js';
import type {
  CentralCursor,
  CentralReset,
  Cursor,
  CursorSource,
  EventSource,
  SocketService,
} from '../socket/types.js';
import { type Readable, readonly, type Writable, writable } from '../store.js';
import { defaultNotify, defaultPlaySound, unlockAudio } from './alerts.js';
import { EMPTY_CURSOR, FeedStore, isOrphan } from './feedStore.js';
import { type BookChanges, OrderBook } from './orderBook.js';
import { RelayCatchUp } from './relayCatchUp.js';
import type { AlertSettings, FeedRecord, KitchenOrder } from './types.js';

// `| undefined` where an app may pass on a value it might not have (exactOptionalPropertyTypes).
export interface KitchenFeedOptions extends EnvironmentOptions {
  /** Where events come from; or call `connect(socket)` once the socket exists. */
  socket?: FeedSocket | undefined;
  /** Carries `acknowledge` and `updateStatus` to the relay; or call `useOutbox` later. */
  outbox?: FeedOutbox | undefined;
  /**
   * Tenants this kitchen serves; the relay filters too. Opened with other tenants (or another
   * `outletId`) than its database was filled under, the feed deletes the stored orders outside
   * them and asks the relay for a snapshot.
   */
  tenants?: readonly Id[] | undefined;
  /** The outlet this kitchen serves: a tablet moved to another outlet starts afresh. */
  outletId?: Id | undefined;
  /** IndexedDB database name; one per kitchen screen. */
  dbName?: string | undefined;
  /** How long a completed or cancelled order stays visible for "recall". Default 15 min. */
  keepFinishedMs?: number;
  /**
   * How long an order stays after the relay's log was recreated without it (a new epoch), or
   * after the relay's snapshot did not list one only central brought. Default 60 min.
   */
  keepOrphanedMs?: number;
  /** Events arriving within this window are applied and written together. Default 16 ms. */
  batchMs?: number;
  alerts?: Partial<AlertSettings>;
  playSound?: () => unknown;
  notify?: (order: KitchenOrder) => unknown;
  /** Makes `event_id`s. Default `uuidv7()` (works on plain-http pages too). */
  randomUUID?: () => string;
}

/** The part of a SocketService the feed uses (`useCursor` when it has one). */
export type FeedSocket = Pick<SocketService, 'on'> &
  Partial<Pick<SocketService, 'useCursor' | 'useCentralCursor'>>;

/**
 * The part of an OrderOutbox the feed uses; with `retry`, a command the relay refused for an
 * order central brought first is sent again once the relay has the order.
 */
export type FeedOutbox = Pick<OrderOutbox, 'enqueue' | 'on' | 'pending' | 'ready'> &
  Partial<Pick<OrderOutbox, 'retry' | 'rejected'>>;

/** How `updateStatus` sends a step. */
export interface StatusStepOptions {
  /** The order's `version` as the screen showed it: the relay refuses a step it did not see. */
  version?: number;
}

export interface KitchenFeed {
  /** Settles once the stored orders and cursor are loaded. */
  readonly ready: Promise<void>;
  /** Newest first (by `created_at`, then `seq`). */
  readonly orders: Readable<KitchenOrder[]>;
  /** The position the stored orders cover; give it to `createSocketService({ cursor })`. */
  readonly cursor: CursorSource;
  /**
   * Where in central's log the stored orders are (a `CentralCursorSource`); `connect()` gives it
   * to the socket service.
   */
  readonly centralCursor: { get(): CentralCursor | null };
  /** Sound and notification on a new order, switchable at any time. */
  readonly alerts: Writable<AlertSettings>;
  /** Reloads orders and cursor from IndexedDB. */
  load(): Promise<void>;
  /**
   * Listens to a socket service's snapshot, backlog and live events, and makes it resume from
   * this feed's stored cursor; returns a disconnect.
   */
  connect(socket: FeedSocket): () => void;
  /** Sets the outbox for `acknowledge` and `updateStatus` (or pass `outbox` when creating). */
  useOutbox(outbox: FeedOutbox): void;
  /** Orders this screen had never seen; not on reload, not on replays. */
  onNewOrder(fn: (order: KitchenOrder) => void): () => void;
  acknowledge(orderId: string): Promise<void>;
  /**
   * Shown at once, sent through the outbox, rolled back if the relay refuses it. Pass the
   * `version` of the order as the screen showed it (protocol v1.2): a step the cook did not
   * see the order reach (a double tap's second step) is then refused `stale`, not applied.
   */
  updateStatus(orderId: string, status: OrderStatus, options?: StatusStepOptions): Promise<void>;
  /** Applies and stores what has arrived without waiting for the batch window. */
  flush(): Promise<void>;
  /**
   * Call from a click (or key press): browsers start audio only after a user gesture, so the
   * default beep is silent until then. Resolves `true` once sound can play.
   */
  unlockAudio(): Promise<boolean>;
  stop(): void;
}

interface Optimistic {
  status: OrderStatus;
  eventId: string;
  /** The version the relay gave the change; the overlay goes once the feed holds it. */
  ackVersion: number | null;
}

type Incoming =
  | { kind: 'event'; event: EventEnvelope; source: EventSource; centralSeq?: number }
  | { kind: 'central'; message: CentralReset; reset: boolean }
  | { kind: 'snapshot'; snapshot: Parameters<OrderBook['applySnapshot']>[0] }
  | { kind: 'caught_up'; message: Parameters<OrderBook['caughtUp']>[0] };

interface View {
  order: KitchenOrder;
  created_ms: number;
  seq: number;
}

const PRUNE_EVERY_MS = 60_000;
const MAX_NOTIFICATIONS_PER_BURST = 5;

export function createKitchenFeed(options: KitchenFeedOptions = {}): KitchenFeed {
  return new KitchenFeedImpl(options);
}

class KitchenFeedImpl implements KitchenFeed {
  readonly ready: Promise<void>;
  readonly #orders = writable<KitchenOrder[]>([]);
  readonly orders = readonly(this.#orders);
  readonly alerts: Writable<AlertSettings>;
  readonly cursor: CursorSource = { get: () => this.#persistedCursor };
  readonly centralCursor = { get: (): CentralCursor | null => this.#persistedCentral };

  readonly #options: KitchenFeedOptions;
  readonly #env: Environment;
  readonly #book: OrderBook;
  readonly #store: Promise<FeedStore>;
  readonly #disposables = new Disposables();
  readonly #newOrderListeners = new Listeners();
  readonly #optimistic = new Map<string, Optimistic>();
  readonly #catchUp = new RelayCatchUp();
  // What `orders` shows, newest first, kept sorted as orders change: a burst rebuilds and places
  // the orders it changed, not the finished ones held for recall.
  #shown: View[] = [];
  /** Orders shown with an overlay: re-shown when it goes. */
  #overlaid: string[] = [];
  readonly #randomUUID: () => string;
  #persistedCursor: Cursor = EMPTY_CURSOR;
  #persistedCentral: CentralCursor | null = null;
  #loaded = false;
  #memoryOnly = false;
  /** The last write failed: memory holds changes IndexedDB does not. */
  #unstored = false;
  #queue: Incoming[] = [];
  #batchTimer: unknown = null;
  #writing: Promise<void> = Promise.resolve();
  #stopped = false;
  #pruning = false;
  #outbox: FeedOutbox | null = null;
  #unwatchOutbox: () => void = () => {};

  constructor(options: KitchenFeedOptions) {
    this.#options = options;
    this.#env = resolveEnvironment(options);
    this.#randomUUID = options.randomUUID ?? (() => uuidv7());
    this.alerts = writable<AlertSettings>({ sound: true, notification: true, ...options.alerts });
    this.#book = new OrderBook({
      tenants: options.tenants,
      outletId: options.outletId,
      keepFinishedMs: options.keepFinishedMs ?? 15 * 60_000,
      keepOrphanedMs: options.keepOrphanedMs ?? 60 * 60_000,
    });
    this.#store = FeedStore.open(this.#env.indexedDB, options.dbName ?? 'kitchen-sync-feed');
    this.ready = this.load();
    this.ready.catch(() => {});
    if (options.socket) this.connect(options.socket);
    if (options.outbox) this.useOutbox(options.outbox);
    this.#disposables.add(() => this.#unwatchOutbox());
  }

  /**
   * Started with the first order held, not at construction: a feed no order reaches (one a
   * server render creates) holds no timer, so it keeps Node neither running nor the feed
   * reachable.
   */
  #startPruning(): void {
    if (this.#pruning || this.#stopped || this.#book.records.size === 0) return;
    this.#pruning = true;
    const prune = this.#env.timers.setInterval(() => this.#prune(), PRUNE_EVERY_MS);
    this.#disposables.add(() => this.#env.timers.clearInterval(prune));
  }

  async load(): Promise<void> {
    // Write what is applied but not yet stored, or reloading would drop it from memory.
    const reloading = this.#loaded;
    if (reloading) {
      this.#clearBatch();
      this.#commitBurst();
    }
    this.#loaded = false;
    let store: FeedStore;
    try {
      store = await this.#store;
    } catch (error) {
      // No IndexedDB (blocked, private mode): the kitchen still shows what arrives, in memory.
      this.#memoryOnly = true;
      this.#loaded = true;
      this.#applyQueued();
      throw error;
    }
    await this.#writing;
    if (reloading && this.#unstored) {
      // IndexedDB refused the last burst: it lives only in memory, where its retry finds it.
      this.#loaded = true;
      this.#applyQueued();
      throw new KitchenSyncError(
        'storage',
        'not reloaded: changes IndexedDB refused are kept in memory and retried',
      );
    }
    const book = this.#book;
    const { records, cursor, centralCursor } = await store.load(book.scope, (record) =>
      book.inScope(record.order),
    );
    this.#book.load(records, cursor, centralCursor);
    for (const record of this.#book.records.values()) {
      if (record.awaiting_relay) this.#catchUp.fromCentral(record.order_id, record.ack_waiting);
    }
    this.#shown = [];
    this.#persistedCursor = cursor;
    this.#persistedCentral = centralCursor;
    await this.#restoreOptimistic();
    this.#loaded = true;
    this.#book.prune(this.#env.now());
    this.#publish(this.#book.records.keys());
    this.#applyQueued();
  }

  /** Events that arrived while loading are applied on top of what was stored. */
  #applyQueued(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const item of queued) this.#apply(item);
    if (queued.length > 0) this.#schedule();
  }

  connect(socket: FeedSocket): () => void {
    // The relay must resume after what this feed has stored, not after what the socket saw.
    socket.useCursor?.(this.cursor);
    socket.useCentralCursor?.(this.centralCursor);
    const unbinds = [
      socket.on('sync:snapshot', (snapshot) => this.#receive({ kind: 'snapshot', snapshot })),
      socket.on('sync:caught_up', (message) => this.#receive({ kind: 'caught_up', message })),
      socket.on('event', (event, source, centralSeq) =>
        this.#receive({ kind: 'event', event, source, centralSeq }),
      ),
      socket.on('central:reset', (message) =>
        this.#receive({ kind: 'central', message, reset: true }),
      ),
      socket.on('central:caught_up', (message) =>
        this.#receive({ kind: 'central', message, reset: false }),
      ),
    ];
    const disconnect = () => {
      for (const unbind of unbinds) unbind();
    };
    this.#disposables.add(disconnect);
    return disconnect;
  }

  useOutbox(outbox: FeedOutbox): void {
    this.#unwatchOutbox();
    this.#outbox = outbox;
    const unbinds = [
      outbox.on('delivered', (entry, ack) => {
        const overlay = this.#overlayFor(entry);
        if (!overlay) return;
        overlay.ackVersion = 'version' in ack ? ack.version : 0;
        this.#settleOptimistic();
        this.#publish();
      }),
      outbox.on('rejected', (entry) => {
        // Refused because the relay has not got an order only central brought yet: the bump is
        // sent again when its copy comes, so the cook's card keeps it meanwhile.
        const waits = entry.error.code === 'not_found' && this.#catchUp.awaitsRelay(entry.order_id);
        if (entry.type === 'order:update' && !waits) this.#rollback(entryEventId(entry));
        if (entry.error.code === 'not_found' && this.#catchUp.refusedAfterArrival(entry.order_id)) {
          this.#sendAgain([entry]);
        }
      }),
    ];
    this.#unwatchOutbox = () => {
      for (const unbind of unbinds) unbind();
    };
    if (this.#loaded) {
      this.#restoreOptimistic()
        .then(() => this.#publish())
        .catch(() => {});
    }
  }

  onNewOrder(fn: (order: KitchenOrder) => void): () => void {
    return this.#newOrderListeners.on('order', fn);
  }

  async acknowledge(orderId: string): Promise<void> {
    const outbox = this.#requireOutbox();
    // Only central has it yet: the relay would drop the ack. It goes when the relay's copy comes.
    if (this.#catchUp.deferAck(orderId)) {
      // Stored before this resolves: a reload right after must still send it.
      this.#book.markAckWaiting(orderId);
      await this.flush();
      return;
    }
    await outbox.enqueue('order:ack', { order_id: orderId });
  }

  async updateStatus(
    orderId: string,
    status: OrderStatus,
    options: StatusStepOptions = {},
  ): Promise<void> {
    const record = this.#book.records.get(orderId);
    if (!record) throw new KitchenSyncError('not_found', `order ${orderId} is not on this screen`);
    const shown = this.#optimistic.get(orderId)?.status ?? record.order.status;
    if (!canTransition(shown, status)) {
      throw new KitchenSyncError('invalid_transition', `${shown} → ${status} is not allowed`);
    }
    if (isOrphan(record)) {
      // The relay's new log does not know it and would refuse: the change stays on this screen.
      this.#book.setLocalStatus(orderId, status, this.#env.now());
      this.#publish([orderId]);
      this.#schedule();
      return;
    }
    const outbox = this.#requireOutbox();
    const eventId = this.#randomUUID();
    this.#optimistic.set(orderId, { status, eventId, ackVersion: null });
    this.#publish();
    try {
      const { version } = options;
      await outbox.enqueue('order:update', {
        order_id: orderId,
        status,
        event_id: eventId,
        ...(version !== undefined ? { version } : {}),
      });
    } catch (error) {
      this.#rollback(eventId);
      throw error;
    }
  }

  async flush(): Promise<void> {
    // Without storage the feed still runs in memory: there is still a burst to apply.
    await this.ready.catch(() => {});
    this.#clearBatch();
    this.#commitBurst();
    await this.#writing;
  }

  unlockAudio(): Promise<boolean> {
    return unlockAudio();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearBatch();
    this.#disposables.dispose();
    this.#newOrderListeners.clear();
    // Store the burst still waiting for its timer, then close once every write is done.
    const changes = this.#loaded ? this.#book.takeChanges() : null;
    if (changes) this.#writing = this.#writing.then(() => this.#write(changes));
    const writing = this.#writing;
    this.#store.then((store) => writing.finally(() => store.close())).catch(() => {});
  }

  #receive(item: Incoming): void {
    if (this.#stopped) return;
    if (!this.#loaded) {
      this.#queue.push(item);
      return;
    }
    this.#apply(item);
    this.#schedule();
  }

  #apply(item: Incoming): void {
    const now = this.#env.now();
    if (item.kind === 'snapshot') {
      this.#book.applySnapshot(item.snapshot, now);
      for (const order of item.snapshot.orders) this.#relayHas(order.order_id);
    } else if (item.kind === 'caught_up') this.#book.caughtUp(item.message);
    else if (item.kind === 'central') this.#book.moveCentralCursor(item.message, item.reset);
    else {
      const { event, source } = item;
      const orderId = event.order_id;
      const held = orderId !== undefined && this.#book.records.has(orderId);
      this.#book.applyEvent(event, source !== 'central', now, item.centralSeq);
      if (!orderId) return;
      if (source !== 'central') this.#relayHas(orderId);
      else if (!held && this.#book.records.has(orderId)) this.#catchUp.fromCentral(orderId);
    }
  }

  /** The relay has the order: what the cook did while only central had it goes to it now. */
  #relayHas(orderId: string): void {
    const arrival = this.#catchUp.fromRelay(orderId);
    if (!arrival) return;
    if (arrival.ack && this.#outbox) {
      this.#outbox.enqueue('order:ack', { order_id: orderId }).catch(() => {});
    }
    // The commands it refused meanwhile (before a reload too) wait in the outbox's stored list.
    const refused = (this.#outbox?.rejected?.get() ?? []).filter(
      (entry) => entry.order_id === orderId && entry.error.code === 'not_found',
    );
    this.#sendAgain(refused);
  }

  /** Sends refused commands again; a status change shows as pending again meanwhile. */
  #sendAgain(entries: RejectedEntry[]): void {
    const outbox = this.#outbox;
    if (!outbox?.retry) return;
    for (const entry of entries) {
      outbox
        .retry(entry.id)
        .then(() => {
          if (entry.type !== 'order:update') return;
          const { status } = (entry as OutboxEntry<'order:update'>).payload;
          this.#optimistic.set(entry.order_id, {
            status,
            eventId: entryEventId(entry),
            ackVersion: null,
          });
          this.#settleOptimistic();
          this.#publish();
        })
        .catch(() => {});
    }
  }

  #schedule(): void {
    if (this.#batchTimer !== null || this.#stopped) return;
    this.#batchTimer = this.#env.timers.setTimeout(() => {
      this.#batchTimer = null;
      this.#commitBurst();
    }, this.#options.batchMs ?? 16);
  }

  #clearBatch(): void {
    if (this.#batchTimer === null) return;
    this.#env.timers.clearTimeout(this.#batchTimer);
    this.#batchTimer = null;
  }

  /** Shows a burst at once, then writes it in one transaction. */
  #commitBurst(): void {
    const changes = this.#book.takeChanges();
    if (!changes) return;
    this.#settleOptimistic();
    this.#publish([...changes.put.map((record) => record.order_id), ...changes.remove]);
    this.#announce(changes.fresh);
    this.#writing = this.#writing.then(() => this.#write(changes));
  }

  async #write(changes: BookChanges): Promise<void> {
    if (this.#memoryOnly) {
      this.#persistedCursor = changes.cursor;
      this.#persistedCentral = changes.centralCursor;
      return;
    }
    try {
      const store = await this.#store;
      await store.commit(changes);
      this.#persistedCursor = changes.cursor;
      this.#persistedCentral = changes.centralCursor;
      this.#unstored = false;
    } catch {
      this.#unstored = true;
      // Nothing is lost: the cursor stayed behind, and the next burst writes these again.
      if (this.#stopped) return;
      this.#book.restore(changes);
      this.#schedule();
    }
  }

  #prune(): void {
    if (!this.#loaded) return;
    this.#book.prune(this.#env.now());
    this.#schedule();
  }

  /** Shows the orders `changed` (and those whose overlay came or went) as they are now. */
  #publish(changed: Iterable<string> = []): void {
    this.#startPruning();
    const overlaid = [...this.#optimistic.keys()];
    const ids = new Set([...changed, ...this.#overlaid, ...overlaid]);
    this.#overlaid = overlaid;
    const list = this.#shown.filter((view) => !ids.has(view.order.order_id));
    for (const id of ids) {
      const record = this.#book.records.get(id);
      if (!record) continue;
      const view = this.#view(record);
      // Newest first (created_at, then seq): a new order's place is found at the top.
      const at = list.findIndex((o) => (o.created_ms - view.created_ms || o.seq - view.seq) < 0);
      list.splice(at < 0 ? list.length : at, 0, view);
    }
    this.#shown = list;
    this.#orders.set(list.map((view) => view.order));
  }

  #view(record: FeedRecord): View {
    const overlay = this.#optimistic.get(record.order_id);
    const order: KitchenOrder = {
      ...record.order,
      status: overlay?.status ?? record.order.status,
      seq: record.seq,
      pending: overlay !== undefined,
      confirmed_status: record.order.status,
      orphaned: isOrphan(record),
    };
    return { order, created_ms: record.created_ms, seq: record.seq };
  }

  #announce(fresh: FeedRecord[]): void {
    if (fresh.length === 0) return;
    const orders = fresh.map((record) => this.#view(record).order);
    for (const order of orders) this.#newOrderListeners.emit('order', order);
    const alerts = this.alerts.get();
    // One sound per burst: a backlog of twenty orders is one alert, not twenty.
    if (alerts.sound) this.#safely(() => (this.#options.playSound ?? defaultPlaySound)());
    if (alerts.notification) {
      const notify = this.#options.notify ?? defaultNotify;
      for (const order of orders.slice(0, MAX_NOTIFICATIONS_PER_BURST)) {
        this.#safely(() => notify(order));
      }
    }
  }

  #safely(fn: () => unknown): void {
    try {
      const result = fn();
      // A refused autoplay or notification is not worth an error: the screen shows the order.
      if (result instanceof Promise) result.catch(() => {});
    } catch {}
  }

  /** After a reload, changes still queued in the outbox are shown as pending again. */
  async #restoreOptimistic(): Promise<void> {
    const outbox = this.#outbox;
    if (!outbox) return;
    await outbox.ready.catch(() => {});
    for (const entry of outbox.pending.get()) {
      if (entry.type !== 'order:update') continue;
      const payload = (entry as OutboxEntry<'order:update'>).payload;
      if (!this.#book.records.has(payload.order_id)) continue;
      this.#optimistic.set(payload.order_id, {
        status: payload.status,
        eventId: entryEventId(entry),
        ackVersion: null,
      });
    }
  }

  #overlayFor(entry: OutboxEntry): Optimistic | undefined {
    if (entry.type !== 'order:update') return undefined;
    const overlay = this.#optimistic.get(entry.order_id);
    return overlay?.eventId === entryEventId(entry) ? overlay : undefined;
  }

  /**
   * Drops overlays the relay has confirmed and the feed now holds; and, without waiting for an
   * ack, those the relay's state has made moot: the order is already where the overlay wanted
   * it, or finished. Another tab of this device may be the one delivering the outbox (one tab
   * delivers), and only that tab hears the ack or the refusal.
   */
  #settleOptimistic(): void {
    for (const [orderId, overlay] of this.#optimistic) {
      const held = this.#book.records.get(orderId)?.order;
      const settled =
        !held ||
        held.status === overlay.status ||
        held.status === 'completed' ||
        held.status === 'cancelled' ||
        (overlay.ackVersion !== null && (held.version ?? 0) >= overlay.ackVersion);
      if (settled) this.#optimistic.delete(orderId);
    }
  }

  #rollback(eventId: string): void {
    for (const [orderId, overlay] of this.#optimistic) {
      if (overlay.eventId !== eventId) continue;
      this.#optimistic.delete(orderId);
      this.#publish();
    }
  }

  #requireOutbox(): FeedOutbox {
    const outbox = this.#outbox;
    if (!outbox)
      throw new KitchenSyncError('not_started', 'the feed was created without an outbox');
    return outbox;
  }
}

function entryEventId(entry: OutboxEntry): string {
  return (entry.payload as { event_id?: string }).event_id ?? '';
}
