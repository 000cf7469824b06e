import type {
  BridgeStatusMessage,
  CaughtUpMessage,
  EventEnvelope,
  EventType,
  OrderAckAck,
  PublishAck,
  RequestType,
  SnapshotMessage,
  UpdateAck,
} from '@kitchen-sync/protocol';
import type { SocketError } from '../errors.js';
import type { Readable } from '../store.js';

/**
 * - `connected`: the relay socket is up (or, with no relay configured, the central one).
 * - `polling`: no socket, but the last poll of the relay was answered.
 * - `central_only`: central's socket is up but the relay cannot be reached: orders wait.
 * - `disconnected`: nothing is reachable (see `error` and `reason`).
 */
export type ConnectionMode = 'connected' | 'polling' | 'central_only' | 'disconnected';

/** DESIGN §4: what a POS or kitchen screen shows about its connection. */
export interface SocketStatus {
  mode: ConnectionMode;
  centralConnected: boolean;
  localConnected: boolean;
  /** The polling fallback is running (whether or not its polls succeed). */
  isPolling: boolean;
  /** The last poll was answered by the relay. */
  pollConnected: boolean;
  /** ms since epoch of the last moment any transport was up. */
  lastConnected: number | null;
  /** Why a link is down, with a stable `code` (the relay's link first, then central's). */
  error: SocketError | null;
  /** `error` (or the mode) in a sentence a person at the counter can act on; `null` when all is well. */
  reason: string | null;
  /** The relay's upload to central (`sync:bridge`); null without one or while the relay is away. */
  bridge: BridgeStatusMessage | null;
  /**
   * False on a page that is not a secure context (plain http from a LAN address): the socket,
   * the feed and the outbox still work (they need no service worker and no Web Locks), but
   * such a page has no service worker, so no offline start and no queued central checkout.
   * Null outside a browser.
   */
  secureContext: boolean | null;
}

/** Where the relay's log was read up to: `since` is honoured only with the same `epoch`. */
export interface Cursor {
  since: number;
  epoch: string | null;
  /**
   * The `event_id` of the event applied at `since`, when one was: the relay checks it against
   * its log, which proves a log that went back (restored) even below its head.
   */
  since_event?: string | undefined;
}

/**
 * The cursor a service resumes from. A kitchen feed supplies its own (the one persisted with
 * its orders) so the relay never skips events the feed has not stored.
 */
export interface CursorSource {
  get(): Cursor;
}

export type EventSource = 'central' | 'local' | 'poll';

/** Where central's outlet log was read up to (central's own numbering, the `seq` of its frames). */
export interface CentralCursor {
  since: number;
  /**
   * The `event_id` of the event at `since`: the one applied there, or the one central's
   * `caught_up` or `reset` named. Central checks it against its log, which proves a log that
   * went back (its database restored, new events on the same seqs) even below its head.
   */
  since_event?: string | undefined;
}

/**
 * Where a service resumes central's outlet log; `null`: nothing yet, the socket starts live.
 * A seq alone (an app's stored cursor from before `since_event`) resumes without it. A kitchen
 * feed supplies the one it stored.
 */
export interface CentralCursorSource {
  get(): CentralCursor | number | null;
}

/** Central could not resume from the cursor: refetch state from central's API. */
export interface CentralReset {
  /** Central's log head to continue from (null: the cursor was refused, start live). */
  seq: number | null;
  /** The event at `seq`, when central named it. */
  event_id?: string | undefined;
}

export interface SocketEventMap {
  /** Every event, merged from all sources and de-duplicated. */
  event: (event: EventEnvelope, source: EventSource, centralSeq?: number) => void;
  'sync:snapshot': (snapshot: SnapshotMessage, source: EventSource) => void;
  'sync:caught_up': (caughtUp: CaughtUpMessage, source: EventSource) => void;
  /** Central's socket could not resume from the central cursor: events may have been missed. */
  'central:reset': (reset: CentralReset) => void;
  /** Central has sent its log up to `seq`: a kitchen feed's stored cursor may move there. */
  'central:caught_up': (caughtUp: { seq: number; event_id?: string | undefined }) => void;
}

export type SocketListenerType = keyof SocketEventMap | EventType;

export type SocketListener<K extends SocketListenerType> = K extends keyof SocketEventMap
  ? SocketEventMap[K]
  : (event: EventEnvelope, source: EventSource, centralSeq?: number) => void;

export type RequestAck = PublishAck | UpdateAck | OrderAckAck;

export interface RequestOptions {
  /** Reject with code `timeout` when no ack arrives in time. Default 5 s. */
  timeoutMs?: number;
}

export interface SocketService {
  readonly status: Readable<SocketStatus>;
  /** Sockets first, polling while no socket is up, back to sockets when they return. */
  start(): void;
  stop(): void;
  connectCentral(): void;
  connectLocal(): void;
  startPolling(outletId?: string | number): void;
  stopPolling(): void;
  /** Returns an unbind. Listeners that throw never break the transport. */
  on<K extends SocketListenerType>(type: K, fn: SocketListener<K>): () => void;
  isConnected(): boolean;
  /**
   * Sends one request to the relay over the local socket and resolves with its ack (which
   * may be `{ ok: false }`). Rejects with `KitchenSyncError` code `network` when no local
   * socket is connected and `timeout` when the ack does not come in time.
   */
  request(type: RequestType, payload: unknown, options?: RequestOptions): Promise<RequestAck>;
  /** The relay cursor this service resumes from (mirrors the CursorSource when one is given). */
  readonly cursor: Readable<Cursor>;
  /**
   * Resume from `source` from now on (what `options.cursor` does at creation). A kitchen feed
   * calls it from `connect()`; on a started service the relay link reconnects from `source`.
   */
  useCursor(source: CursorSource): void;
  /**
   * Where central's log was received up to, with the event there (central's own numbering;
   * never the relay cursor).
   */
  readonly centralCursor: Readable<CentralCursor | null>;
  /**
   * Resume central's socket from `source` from now on (`options.centralCursor` at creation); on
   * a started service the central socket reconnects from it. A kitchen feed calls it.
   */
  useCentralCursor(source: CentralCursorSource): void;
}
