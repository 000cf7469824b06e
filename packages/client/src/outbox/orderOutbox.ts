import {
  type Order,
  OrderAckSchema,
  OrderFireSchema,
  OrderHoldSchema,
  OrderItemUpdateSchema,
  OrderRecallSchema,
  OrderRushSchema,
  OrderSchema,
  OrderUpdateSchema,
  type RequestType,
  validate,
} from '@kitchen-sync/protocol';
import { KitchenSyncError } from '../errors.js';
import { uuidv7 } from '../ids/uuidv7.js';
import { Backoff, type BackoffOptions } from '../lib/backoff.js';
import { devLog } from '../lib/devLog.js';
import {
  Disposables,
  type Environment,
  type EnvironmentOptions,
  resolveEnvironment,
} from '../lib/environment.js';
import { Listeners } from '../lib/listeners.js';
import { type RefreshesEnded, refreshesEnded, refreshOnce } from '../lib/refreshOnce.js';
import { httpRelayUrl } from '../socket/relayAddress.js';
import type { SocketService } from '../socket/types.js';
import { type Readable, readonly, writable } from '../store.js';
import { classifyFailure } from './classifyFailure.js';
import { ALIVE, type DeliveryLock, deliveryLock, type OutboxLocks } from './deliveryLock.js';
import { entryList } from './entryList.js';
import { lanesOf } from './lanes.js';
import { OutboxStore } from './outboxStore.js';
import { type HttpAck, postEvent } from './postEvent.js';
import { relayLinkProblem } from './relayLinkProblem.js';
import { staleAsFailure } from './staleAnswer.js';
import type { EnqueueType, OutboxEntry, OutboxPayloads, RejectedEntry } from './types.js';

export type { OutboxLocks };

/**
 * What will be stored and sent: the payload as JSON gives it back. A value JSON cannot hold
 * (a BigInt) is `invalid_payload` now; stored, it failed every send and held the queue behind
 * it for good. Functions and `undefined` drop out, as they would on the wire.
 */
function asJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null');
  } catch (cause) {
    throw new KitchenSyncError('invalid_payload', 'not JSON', { cause });
  }
}

/**
 * The part of a `BroadcastChannel` the outbox uses to tell other tabs the queue changed, and
 * that the tab delivering is alive.
 */
export interface OutboxChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event?: { data?: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event?: { data?: unknown }) => void): void;
  close(): void;
}

type MaybeToken = string | null | undefined;
export type OutboxTokenSource = string | (() => MaybeToken | Promise<MaybeToken>);

// `| undefined` where an app may pass on a value it might not have (exactOptionalPropertyTypes).
export interface OrderOutboxOptions extends EnvironmentOptions {
  /** Base URL of the relay for the HTTP fallback, e.g. `http://192.168.1.10:3001`. */
  relayUrl?: string | undefined;
  /**
   * Bearer token for the HTTP fallback (the socket carries its own): a string, or a function,
   * sync or async, asked before every HTTP attempt. A function that throws counts as
   * `unauthorized` (so `refreshToken` is called).
   */
  token?: OutboxTokenSource | undefined;
  /**
   * Called on `unauthorized`, once for all the entries refused with the same token (and shared
   * with a socket service handed the same function); a returned string becomes the token.
   */
  refreshToken?: (() => Promise<unknown>) | undefined;
  /** Delivery prefers this socket's acks while its local (relay) connection is up. */
  socket?: Pick<SocketService, 'request' | 'status'> | undefined;
  /** IndexedDB database name; one per app and outlet. */
  dbName?: string | undefined;
  /** Web Locks; default `navigator.locks`; `null` delivers without a lock. */
  locks?: OutboxLocks | null;
  /** Default a `BroadcastChannel` named after the database, opened with it; `null` for none. */
  channel?: OutboxChannel | null;
  /**
   * A waiting tab takes the lock from a holder it has not heard say it is alive (over
   * `channel`) for this long: a hung tab. Default 10 000; 0: never (nor says it is alive).
   */
  stealLockAfterMs?: number;
  backoff?: BackoffOptions;
  /** Per attempt, socket ack or HTTP answer. */
  requestTimeoutMs?: number;
  /** Makes `event_id`s. Default `uuidv7()` (works on plain-http pages too). */
  randomUUID?: () => string;
}

/**
 * How this tab shares the outbox with other tabs of the same app and outlet.
 * - `held`: this tab holds the Web Lock and delivers; the others wait their turn, or take the
 *   lock from it when it stops saying it is alive (a hung main thread, see `stealLockAfterMs`).
 * - `waiting`: another tab delivers (or the lock is not yet granted, or was taken from this
 *   tab while it hung: it queues again).
 * - `unavailable`: no Web Locks (a page served over plain http, an old browser, or
 *   `locks: null`): this tab delivers on its own; a second tab would deliver too, which the
 *   relay's idempotent `order_id` / `event_id` keeps harmless.
 */
export type OutboxLockState = 'held' | 'waiting' | 'unavailable';

export interface OutboxStatus {
  lock: OutboxLockState;
  /** True while this tab is the one delivering (the same as `delivering`). */
  delivering: boolean;
  /** With `held`: this tab took the lock from a tab that had stopped saying it is alive. */
  tookOver?: true;
}

export interface OutboxEvents {
  delivered: (entry: OutboxEntry, ack: Extract<HttpAck, { ok: true }>) => void;
  rejected: (entry: RejectedEntry) => void;
}

export interface OrderOutbox {
  /** Settles once the queues are loaded from IndexedDB. */
  readonly ready: Promise<void>;
  /** Entries waiting for an ack, in submission order. */
  readonly pending: Readable<OutboxEntry[]>;
  /** Entries the relay refused, kept until `retry` or `discard`. */
  readonly rejected: Readable<RejectedEntry[]>;
  /** True while this tab is the one delivering. */
  readonly delivering: Readable<boolean>;
  /** Whether this tab delivers, and why (Web Lock held, waiting, or no Web Locks here). */
  readonly status: Readable<OutboxStatus>;
  /** Validates, persists, then resolves with the order's id; delivery follows. */
  submit(order: Order): Promise<string>;
  enqueue<T extends EnqueueType>(type: T, payload: OutboxPayloads[T]): Promise<OutboxEntry<T>>;
  /** Tries the head of the line now; settles when the queue is empty or waiting to retry. */
  flush(): Promise<void>;
  retry(id: number): Promise<void>;
  discard(id: number): Promise<void>;
  on<E extends keyof OutboxEvents>(event: E, fn: OutboxEvents[E]): () => void;
  stop(): void;
}

/**
 * Entries in flight at once (of different orders). A busy tablet answers a round trip in
 * about a second while a rush brings an order every ~100 ms: 8 keeps up with ~8 per second
 * and a cook's tap is never more than 8 answers behind. More would buy little on one socket
 * and leave more requests to fail and resend together when the link drops.
 */
const WINDOW = 8;
/**
 * Entries read to pick the next sends from: the window and what waits behind its orders. A
 * bounded read keeps each pick O(1) however long the queue; an entry past it goes once the
 * ones before it do.
 */
const LOOK_AHEAD = 4 * WINDOW;

const SCHEMAS = {
  'order:publish': OrderSchema,
  'order:update': OrderUpdateSchema,
  'order:ack': OrderAckSchema,
  'order:item_update': OrderItemUpdateSchema,
  'order:hold': OrderHoldSchema,
  'order:fire': OrderFireSchema,
  'order:recall': OrderRecallSchema,
  'order:rush': OrderRushSchema,
} as const;

export function createOrderOutbox(options: OrderOutboxOptions = {}): OrderOutbox {
  return new OrderOutboxImpl(options);
}

class OrderOutboxImpl implements OrderOutbox {
  readonly ready: Promise<void>;
  readonly #pending = entryList();
  readonly #rejected = writable<RejectedEntry[]>([]);
  readonly #delivering = writable(false);
  readonly pending = readonly(this.#pending);
  readonly rejected = readonly(this.#rejected);
  readonly delivering = readonly(this.#delivering);
  readonly #status = writable<OutboxStatus>({ lock: 'waiting', delivering: false });
  readonly status = readonly(this.#status);

  readonly #options: OrderOutboxOptions;
  readonly #env: Environment;
  readonly #backoff: Backoff;
  readonly #store: Promise<OutboxStore>;
  readonly #events = new Listeners();
  // Aborted by stop(): a delivery in flight must not hold a request and its timer open.
  readonly #abort = new AbortController();
  readonly #disposables = new Disposables();
  // Opened with the database (see #joinOtherTabs).
  #channel: OutboxChannel | null = null;
  readonly #randomUUID: () => string;
  // Ids settled before their submit added them to `pending` (another tab, or a very fast ack).
  readonly #settled = new Set<number>();
  #token: string | null | undefined;
  // `lastConnected` of the relay socket whose token the relay refused (see #attempt).
  #expiredSocket: number | null | undefined;
  #retryTimer: unknown = null;
  #draining: Promise<void> | null = null;
  // Set when the queue may have something to send: an entry added, an answer in, a kick.
  #rerun = false;
  // Ends the delivery pass's wait for one of those.
  #wake?: () => void;
  // Bumped by every local change of the lists, so a slower reload never overwrites one.
  #listsVersion = 0;
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #stopped = false;
  #lock?: DeliveryLock;

  constructor(options: OrderOutboxOptions) {
    this.#options = options;
    this.#env = resolveEnvironment(options);
    this.#backoff = new Backoff({ random: this.#env.random, ...options.backoff });
    this.#randomUUID = options.randomUUID ?? (() => uuidv7());
    this.#token = typeof options.token === 'string' ? options.token : undefined;
    const dbName = options.dbName ?? 'kitchen-sync-outbox';
    this.#store = OutboxStore.open(this.#env.indexedDB, dbName);
    this.ready = this.#store.then(() => {
      this.#joinOtherTabs(dbName);
      return this.#reloadLists();
    });
    // Nothing else to do until the store opens; `submit` surfaces the error to the caller.
    this.ready.catch(() => {});
    this.#listen();
    this.ready.then(() => this.#acquireLock(`kitchen-sync-outbox:${dbName}`)).catch(() => {});
  }

  async submit(order: Order): Promise<string> {
    const checked = validate(OrderSchema, asJson(order));
    if (!checked.ok) throw invalid(checked.error.code, checked.error.message, checked.error);
    if (checked.value.status !== 'pending') {
      throw invalid('invalid_transition', 'a new order must have status "pending"');
    }
    await this.#add('order:publish', checked.value);
    return checked.value.order_id;
  }

  async enqueue<T extends EnqueueType>(
    type: T,
    payload: OutboxPayloads[T],
  ): Promise<OutboxEntry<T>> {
    const schema = SCHEMAS[type] as (typeof SCHEMAS)[EnqueueType] | undefined;
    if (!schema) throw invalid('invalid_payload', `unknown request type "${String(type)}"`);
    // The event_id makes a retried update idempotent at the relay and across sources.
    const withId = { ...payload, event_id: payload?.event_id ?? this.#randomUUID() };
    const checked = validate(schema, asJson(withId));
    if (!checked.ok) throw invalid(checked.error.code, checked.error.message, checked.error);
    return this.#add(type, checked.value as OutboxPayloads[T]);
  }

  async flush(): Promise<void> {
    // Before `ready` this tab does not yet know whether it delivers.
    await this.ready.catch(() => {});
    this.#clearRetry();
    return this.#drain();
  }

  async retry(id: number): Promise<void> {
    const store = await this.#open();
    const entry = await store.restore(id);
    if (!entry) throw new KitchenSyncError('not_found', `no rejected entry ${id}`);
    this.#rejected.update((list) => list.filter((e) => e.id !== id));
    this.#pending.set([...this.#pending.get(), entry].sort(bySubmission));
    this.#announce();
    this.flush().catch(() => {});
  }

  async discard(id: number): Promise<void> {
    const store = await this.#open();
    await store.discard(id);
    this.#rejected.update((list) => list.filter((e) => e.id !== id));
    this.#announce();
  }

  on<E extends keyof OutboxEvents>(event: E, fn: OutboxEvents[E]): () => void {
    return this.#events.on(event, fn);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // An ack that arrived just before stop() is still being stored: its `delivered` must not
    // reach a listener after it. stop() is the last thing listeners hear from.
    this.#events.clear();
    this.#clearRetry();
    this.#abort.abort();
    this.#wake?.();
    this.#disposables.dispose();
    // Stopped before the database opened: the app's own channel is closed all the same.
    (this.#channel ?? this.#options.channel)?.close();
    this.#delivering.set(false);
    this.#status.update((s) => ({
      lock: s.lock === 'held' ? 'waiting' : s.lock,
      delivering: false,
    }));
    this.#store.then((store) => store.close()).catch(() => {});
  }

  /** The store, for a call the app makes: `not_started` once stopped (its database is closed). */
  #open() {
    if (this.#stopped) {
      return Promise.reject(new KitchenSyncError('not_started', 'the outbox is stopped'));
    }
    return this.#store;
  }

  async #add<T extends RequestType>(type: T, payload: OutboxPayloads[T]): Promise<OutboxEntry<T>> {
    const store = await this.#open();
    let entry: OutboxEntry<T>;
    try {
      entry = await store.add<T>({
        type,
        payload,
        order_id: payload.order_id,
        queued_at: this.#env.now(),
        attempts: 0,
        last_error: null,
      });
    } catch (cause) {
      // A full disk (QuotaExceededError) or a closed database: the order is not queued, and
      // the caller must hear it with a code, not as a DOMException.
      throw new KitchenSyncError('storage', 'not stored', { cause });
    }
    if (!this.#settled.delete(entry.id)) this.#pending.put(entry);
    this.#announce();
    this.#drain().catch(() => {});
    return entry;
  }

  #listen(): void {
    this.#disposables.listen(this.#env.window, 'online', () => this.#kick());
    const socket = this.#options.socket;
    if (socket) {
      // The relay is back by socket (2) or by polling (1; then HTTP reaches it too): try now,
      // not at the end of a backoff of up to 30 s.
      let was = 2;
      this.#disposables.add(
        socket.status.subscribe((status) => {
          const up = status.localConnected ? 2 : +status.pollConnected;
          if (up > was) this.#kick();
          was = up;
        }),
      );
    }
  }

  /**
   * Opens the channel once the database is open, not at construction: where there is no
   * IndexedDB (a server render) there is no queue to share, and an open BroadcastChannel
   * would keep Node running and the outbox reachable for good. Before the lists are read, so
   * a change another tab makes after the read is heard.
   */
  #joinOtherTabs(dbName: string): void {
    if (this.#stopped) return;
    const { channel: given } = this.#options;
    const channel = given === undefined ? defaultChannel(dbName) : given;
    this.#channel = channel;
    if (!channel) return;
    const onMessage = (event?: { data?: unknown }) => {
      if (event?.data === ALIVE) return this.#lock?.heard();
      this.#reloadLists().catch(() => {});
      this.#kick();
    };
    channel.addEventListener('message', onMessage);
    this.#disposables.add(() => channel.removeEventListener('message', onMessage));
  }

  /** Conditions changed (online, socket up, another tab queued): try now, not at the timer. */
  #kick(): void {
    if (this.#stopped || !this.#delivering.get()) return;
    this.flush().catch(() => {});
  }

  #acquireLock(name: string): void {
    if (this.#stopped) return;
    const locks =
      this.#options.locks === undefined
        ? (globalThis.navigator as { locks?: OutboxLocks } | undefined)?.locks
        : this.#options.locks;
    if (!locks) {
      this.#status.set({ lock: 'unavailable', delivering: false });
      this.#becomeDeliverer();
      return;
    }
    const channel = this.#channel;
    const lock = deliveryLock(
      locks,
      name,
      this.#env,
      this.#options.stealLockAfterMs ?? 10_000,
      channel ? () => channel.postMessage(ALIVE) : undefined,
      (held, tookOver) => {
        if (!held) {
          this.#delivering.set(false);
          this.#status.set({ lock: 'waiting', delivering: false });
          return;
        }
        this.#status.set({ lock: 'held', delivering: false, ...(tookOver && { tookOver }) });
        this.#becomeDeliverer();
      },
    );
    this.#lock = lock;
    this.#disposables.add(lock.stop);
  }

  /** Before each send: a tab stolen from stops at once (see DeliveryLock). */
  #mayDeliver(): boolean {
    return !this.#stopped && this.#delivering.get() && (this.#lock?.fresh() ?? true);
  }

  #becomeDeliverer(): void {
    this.#delivering.set(true);
    this.#status.update((s) => ({ ...s, delivering: true }));
    // Another tab may have delivered or rejected entries while this one waited.
    this.#reloadLists()
      .catch(() => {})
      .then(() => this.#kick());
  }

  async #drain(): Promise<void> {
    if (this.#stopped || !this.#delivering.get()) return;
    // The running pass may already have looked at the queue; make it look once more.
    this.#rerun = true;
    this.#wake?.();
    this.#draining ??= this.#deliverAll();
    await this.#draining;
  }

  /**
   * Up to WINDOW entries in flight, none sharing a lane with another in flight or an earlier
   * one waiting (see lanesOf): an order's entries go one at a time in submission order, and
   * so do new orders, while the acks and bumps of different orders go together. Settles when
   * nothing is in flight and the queue is empty or waits to retry; a retry's backoff holds
   * new sends, and the answers in flight still count.
   */
  async #deliverAll(): Promise<void> {
    // The lanes of the entries in flight, and how many those are.
    const busy = new Set<string>();
    let sending = 0;
    const store = await this.#store;
    while (!this.#stopped) {
      if (this.#rerun && this.#retryTimer === null && sending < WINDOW) {
        this.#rerun = false;
        const head = await store
          .head(LOOK_AHEAD)
          // Storage failed: try again later rather than leave the queue stuck.
          .catch(() => {
            this.#scheduleRetry();
            return [];
          });
        // Lanes held by an entry in flight or by an earlier one still waiting.
        const held = new Set(busy);
        for (const entry of head) {
          const lanes = lanesOf(entry);
          const free =
            sending < WINDOW && lanes.every((lane) => !held.has(lane)) && this.#mayDeliver();
          for (const lane of lanes) held.add(lane);
          if (!free) continue;
          for (const lane of lanes) busy.add(lane);
          sending++;
          this.#send(store, entry).finally(() => {
            for (const lane of lanes) busy.delete(lane);
            sending--;
            this.#rerun = true;
            this.#wake?.();
          });
        }
        continue;
      }
      if (!sending) break;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    this.#draining = null;
  }

  /** One entry until it is settled (delivered, dropped, rejected) or waits to retry. */
  async #send(store: OutboxStore, entry: OutboxEntry, refreshed?: true): Promise<void> {
    try {
      const since = refreshesEnded(this.#options.refreshToken);
      const [answer, token] = await this.#attempt(entry);
      const outcome = staleAsFailure(entry, answer);
      if (this.#stopped) return;
      // An order:ack for an order the relay no longer has (its log was wiped): nothing is
      // left to acknowledge, and showing it as an error would alarm staff for nothing.
      const obsolete = isObsoleteAck(entry, outcome);
      if (outcome.ok || obsolete) {
        await store.remove(entry.id);
        if (outcome.ok) this.#backoff.reset();
        this.#settle(entry.id);
        if (obsolete) {
          devLog('dropped an order:ack for an order the relay no longer has', {
            order_id: entry.order_id,
          });
        } else if (outcome.ok) this.#emit('delivered', entry, outcome);
        return;
      }
      const action = classifyFailure(outcome.error);
      if (action === 'reject') {
        const rejected = await store.reject(entry.id, outcome.error, this.#env.now());
        this.#settle(entry.id);
        if (rejected) {
          this.#rejected.update((list) => [...list, rejected].sort(bySubmission));
          this.#emit('rejected', rejected);
        }
        return;
      }
      const updated = await store.recordFailure(entry.id, outcome.error);
      if (updated) {
        this.#listsVersion++;
        this.#pending.put(updated);
      }
      // One immediate retry after a successful refresh; a second 401 waits like any failure.
      if (
        action === 'refresh' &&
        !refreshed &&
        (await this.#refreshToken(token, since)) &&
        this.#mayDeliver()
      ) {
        return this.#send(store, entry, true);
      }
    } catch {
      // Storage failed: the entry is still queued; try again later.
    }
    this.#scheduleRetry();
  }

  /**
   * The answer, and the token it was sent with: the socket's own (the socket itself stands for
   * it) or the HTTP Bearer token (`undefined` when none could be obtained).
   */
  async #attempt(entry: OutboxEntry): Promise<[HttpAck, unknown]> {
    const timeoutMs = this.#options.requestTimeoutMs ?? 5_000;
    const socket = this.#options.socket;
    const status = socket?.status.get();
    const relayUrl = this.#options.relayUrl && httpRelayUrl(this.#options.relayUrl);
    let answer: HttpAck = { ok: false, error: { code: 'network', message: 'no transport' } };
    let token: MaybeToken;
    // The relay refuses an open socket's commands once its token expired, until the socket
    // connects again: meanwhile the refreshed token goes over HTTP where it can.
    if (status?.localConnected && !(relayUrl && status.lastConnected === this.#expiredSocket)) {
      try {
        // The ack is awaited well beyond `timeoutMs`: on a slow link (round trips over 5 s)
        // it is the relay's answer, and each retry would time out the same way. A dead link
        // does not hold it: the socket pings after 5 s without an ack and drops unanswered.
        const ack = await socket!.request(entry.type, entry.payload, { timeoutMs: 6 * timeoutMs });
        if (!ack.ok && ack.error.code === 'unauthorized') {
          this.#expiredSocket = status.lastConnected;
        }
        // A socket that reached the relay is not on the http:// address of an HTTPS-only one:
        // its answers never carry https_required.
        return [ack as HttpAck, socket];
      } catch (error) {
        // No answer (the socket dropped, or no ack at all): HTTP may still reach the relay.
        answer = failed(error);
      }
    }
    const problem = relayLinkProblem(status);
    if (problem?.error.code === 'relay_insecure_url') return [problem, undefined];
    if (relayUrl) {
      try {
        // A token source that throws counts as refused, so `refreshToken` is asked.
        token = await this.#currentToken().catch((cause) => {
          throw new KitchenSyncError('unauthorized', `token could not be obtained: ${cause}`);
        });
        answer = await postEvent(
          this.#env,
          relayUrl,
          token,
          entry.type,
          entry.payload,
          timeoutMs,
          this.#abort.signal,
        );
      } catch (cause) {
        answer = failed(cause);
        if (!answer.ok && answer.error.code === 'network') answer = problem ?? answer;
      }
    }
    return [answer, token];
  }

  async #currentToken(): Promise<MaybeToken> {
    const token = this.#options.token;
    if (this.#token !== undefined) return this.#token;
    return typeof token === 'function' ? await token() : token;
  }

  /** Refreshes `refused`, the token of an attempt begun when `since` was the last refresh ended. */
  async #refreshToken(refused: unknown, since: RefreshesEnded): Promise<boolean> {
    const refresh = this.#options.refreshToken;
    if (!refresh) return false;
    try {
      const token = await refreshOnce(refresh, refused, since);
      if (typeof token === 'string') this.#token = token;
      return true;
    } catch {
      return false;
    }
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer !== null) return;
    this.#retryTimer = this.#env.timers.setTimeout(() => {
      this.#retryTimer = null;
      this.#drain().catch(() => {});
    }, this.#backoff.duration());
  }

  #clearRetry(): void {
    if (this.#retryTimer === null) return;
    this.#env.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #settle(id: number): void {
    if (!this.#pending.delete(id)) this.#settled.add(id);
    this.#announce();
  }

  /**
   * One read of both lists at a time, and one more after it for whatever was asked meanwhile:
   * a tab taking orders sends a message per order, and a read started for each one (of a
   * queue that grew with them) slowed both tabs quadratically (submit ~7 → ~490 ms).
   */
  #reloadLists(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = this.#readLists().finally(() => {
      this.#reading = null;
      if (this.#readAgain) {
        this.#readAgain = false;
        this.#reloadLists().catch(() => {});
      }
    });
    return this.#reading;
  }

  async #readLists(): Promise<void> {
    const store = await this.#store;
    const version = this.#listsVersion;
    const [pending, rejected] = await Promise.all([store.pending(), store.rejected()]);
    // Overtaken by this tab's own change: read again (still one read at a time).
    if (version !== this.#listsVersion) return this.#readLists();
    this.#pending.set(pending);
    this.#rejected.set(rejected);
  }

  #announce(): void {
    this.#listsVersion++;
    try {
      this.#channel?.postMessage('changed');
    } catch {
      // A closed channel only means no other tab hears about this change.
    }
  }

  #emit<E extends keyof OutboxEvents>(event: E, ...args: Parameters<OutboxEvents[E]>): void {
    this.#events.emit(event, ...args);
  }
}

/**
 * A kitchen's `order:ack` for an order the relay no longer has: answered `not_found`, or (by
 * relays that say so) `{ ok: true, obsolete: true }`.
 */
function isObsoleteAck(entry: OutboxEntry, outcome: HttpAck): boolean {
  if (entry.type !== 'order:ack') return false;
  if (!outcome.ok) return outcome.error.code === 'not_found';
  return (outcome as { obsolete?: unknown }).obsolete === true;
}

/** Submission order: the auto-increment id. */
function bySubmission(a: OutboxEntry, b: OutboxEntry): number {
  return a.id - b.id;
}

function invalid(code: string, message: string, details?: object): KitchenSyncError {
  return new KitchenSyncError(code, message, details as Record<string, unknown> | undefined);
}

/** A thrown error as a failed answer: `network` unless it carries a code. */
function failed(error: unknown): HttpAck {
  return {
    ok: false,
    error:
      error instanceof KitchenSyncError
        ? { code: error.code, message: error.message }
        : { code: 'network', message: error instanceof Error ? error.message : String(error) },
  };
}

function defaultChannel(dbName: string): OutboxChannel | null {
  const Channel = (globalThis as { BroadcastChannel?: new (name: string) => OutboxChannel })
    .BroadcastChannel;
  return Channel ? new Channel(`kitchen-sync-outbox:${dbName}`) : null;
}
