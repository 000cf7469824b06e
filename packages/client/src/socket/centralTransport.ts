import { type EventEnvelope, eventContentKey } from '@kitchen-sync/protocol';
import { KitchenSyncError, type SocketError } from '../errors.js';
import type { BackoffOptions } from '../lib/backoff.js';
import {
  type RefreshCallback,
  type RefreshesEnded,
  refreshesEnded,
  refreshOnce,
} from '../lib/refreshOnce.js';
import { type CentralHandshake, centralHandshake } from './centralHandshake.js';
import { eventIdOf } from './cursor.js';
import { Reconnector } from './reconnector.js';
import { isEnvelope, isObject, type StringSource, type TransportHooks } from './transport.js';
import type { CentralCursor } from './types.js';

/** The part of the browser's WebSocket the central transport uses. */
export type WebSocketLike = Pick<
  WebSocket,
  'readyState' | 'send' | 'close' | 'onopen' | 'onclose' | 'onmessage' | 'onerror'
>;
/**
 * Declare `protocols` and pass them on (`new WebSocket(url, protocols)`): central's token goes
 * in them. A factory declared with `url` alone is given the URL with the token in it.
 */
export type WebSocketFactory = (url: string, protocols?: string[]) => WebSocketLike;

export interface CentralTransportOptions {
  /**
   * The socket URL (with its token), or a function asked at every connect. With
   * `token_in=subprotocol` the token goes as a subprotocol instead (see centralHandshake).
   */
  url: StringSource;
  /** Central refused the token (4401): refresh the URL here; the next attempt asks `url` again. */
  onUnauthorized?: RefreshCallback | undefined;
  outletId: string | number;
  WebSocket?: WebSocketFactory;
  /** Keepalive `{type:'ping'}` every this many ms. Default 25 s (below common proxy idle cuts). */
  pingIntervalMs?: number;
  /** No message within this long after a ping means the link is dead. Default 10 s. */
  pongTimeoutMs?: number;
  /** A socket still opening after this long is dropped and retried. Default 10 s. */
  connectTimeoutMs?: number;
  reconnect?: BackoffOptions;
}

export interface CentralTransport {
  connect(): void;
  /** Reconnect now instead of waiting out the backoff (the browser came back online). */
  retryNow(): void;
  close(): void;
  readonly connected: boolean;
}

/** `ws(s)://host/ws/outlet/{id}/` from an http(s) or ws(s) base URL. */
export function centralSocketUrl(base: string, outletId: string | number): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws/outlet/${encodeURIComponent(String(outletId))}/`;
  return url.toString();
}

/**
 * The socket URL with `since=<central seq>`, so central replays what came after it, and
 * `since_event=<event_id>` when the cursor names the event there, so central sees a log that
 * went back.
 */
export function centralResumeUrl(url: string, cursor: CentralCursor | null): string {
  if (cursor === null) return url;
  const resume = new URL(url);
  resume.searchParams.set('since', String(cursor.since));
  if (cursor.since_event) resume.searchParams.set('since_event', cursor.since_event);
  return resume.toString();
}

/** A central seq as the server sends it: a non-negative safe integer, else null. */
function centralSeqOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * Django Channels sends `{ event, data }` where `data` is either a full envelope or the order
 * itself. Both become an envelope; without an `event_id` the content key (with the order's
 * version, so a second pass through a status after a recall is not taken for a copy) stands in.
 */
export function envelopeFromCentral(
  message: unknown,
  outletId: string | number,
  now: () => number,
): EventEnvelope | null {
  if (!isObject(message) || typeof message.event !== 'string' || message.event === '') return null;
  const data = message.data;
  if (isEnvelope(data) && 'data' in data && ('event_id' in data || 'seq' in data)) {
    return { ...data, seq: null };
  }
  const body = isObject(data) ? data : {};
  const orderId = typeof body.order_id === 'string' ? body.order_id : undefined;
  const stamp = body.updated_at ?? body.created_at;
  const partial = { type: message.event, order_id: orderId, data };
  return {
    seq: null,
    event_id:
      typeof body.event_id === 'string' ? body.event_id : orderId ? eventContentKey(partial) : '',
    type: message.event as EventEnvelope['type'],
    outlet_id: (body.outlet_id as string | number | undefined) ?? outletId,
    tenant_id: (body.tenant_id as string | number | undefined) ?? null,
    ...(orderId ? { order_id: orderId } : {}),
    data,
    ts: typeof stamp === 'string' ? stamp : new Date(now()).toISOString(),
  };
}

const OPEN = 1;

/**
 * Central's consumer accepts, then closes with these when it refuses the socket (the Django
 * package's codes): each is reported, and retried on the backoff, not at once.
 */
const REFUSALS: Record<number, 'unauthorized' | 'forbidden' | 'unavailable'> = {
  4401: 'unauthorized',
  4403: 'forbidden',
  4503: 'unavailable',
};

const ignore = (): void => {};

export function createCentralTransport(
  options: CentralTransportOptions,
  hooks: TransportHooks,
): CentralTransport {
  const { env } = hooks;
  const { timers } = env;
  const factory: WebSocketFactory =
    options.WebSocket ??
    ((url, protocols) => new globalThis.WebSocket(url, protocols) as WebSocketLike);
  // A factory written `(url) => …` would drop the subprotocols, and with them the token:
  // it gets the URL with the token, as before.
  const takesProtocols = !options.WebSocket || options.WebSocket.length >= 2;
  const pingEvery = options.pingIntervalMs ?? 25_000;
  const pongWithin = options.pongTimeoutMs ?? 10_000;
  const connectWithin = options.connectTimeoutMs ?? 10_000;

  let socket: WebSocketLike | null = null;
  // Waiting for the app's `url` function: no second attempt meanwhile.
  let asking = false;
  // The last attempt's URL, and the refreshes ended before it (see refreshOnce).
  let url: string | undefined;
  let since: RefreshesEnded;
  const retry = new Reconnector(env, options.reconnect, () => attempt());
  let open = false;
  let connectTimer: unknown = null;
  let pingTimer: unknown = null;
  let pongTimer: unknown = null;

  const clearTimers = (): void => {
    timers.clearTimeout(connectTimer);
    timers.clearInterval(pingTimer);
    timers.clearTimeout(pongTimer);
    connectTimer = pingTimer = pongTimer = null;
  };

  // Detach first: a dead link may take minutes to deliver `close`, and we have moved on.
  const drop = (error: SocketError | null, then = (): void => retry.schedule()): void => {
    const s = socket;
    socket = null;
    clearTimers();
    if (s) {
      s.onopen = s.onclose = s.onmessage = null;
      // Not null: closing a socket that is still connecting makes Node's `ws` emit an error on
      // the next tick, and an error event without a listener kills the process.
      s.onerror = ignore;
      try {
        s.close();
      } catch {
        // Closing a socket that never opened may throw in some browsers; it is gone either way.
      }
    }
    if (error) hooks.error(error, 'central');
    if (open) {
      open = false;
      hooks.down('central');
    }
    then();
  };

  // Refused again after it opened: the backoff goes on rather than starting over (Reconnector).
  const refused = (): void => retry.refused();

  const cannotOpen = (cause: unknown): void => {
    hooks.error(
      new KitchenSyncError('network', 'cannot open central WebSocket', { cause }),
      'central',
    );
    retry.schedule();
  };

  const send = (message: unknown): void => {
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };

  const ping = (): void => {
    send({ type: 'ping', timestamp: env.now() });
    if (pongTimer === null) {
      pongTimer = timers.setTimeout(
        () => drop(new KitchenSyncError('timeout', 'central WebSocket missed its pong')),
        pongWithin,
      );
    }
  };

  const onMessage = (raw: unknown): void => {
    // Any message proves the link is alive, not only the pong.
    timers.clearTimeout(pongTimer);
    pongTimer = null;
    let message: unknown;
    try {
      message = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (!isObject(message)) return;
    if (message.type === 'ping') {
      send({ type: 'pong', timestamp: message.timestamp ?? null });
      return;
    }
    if (message.type === 'pong') return;
    if (message.type === 'caught_up') {
      const head = centralSeqOf(message.seq);
      if (head !== null) hooks.centralCaughtUp(head, eventIdOf(message));
      return;
    }
    if (message.type === 'reset') {
      hooks.centralReset(centralSeqOf(message.seq), eventIdOf(message));
      return;
    }
    if (message.type === 'error') {
      // Central refused the cursor (it closes next): forget it, or every retry sends it again.
      if (message.code === 'invalid_payload') hooks.centralReset(null);
      hooks.error(
        new KitchenSyncError(
          'invalid_payload',
          typeof message.message === 'string' ? message.message : 'central refused the socket',
        ),
        'central',
      );
      return;
    }
    const event = envelopeFromCentral(message, options.outletId, env.now);
    const seq = centralSeqOf(message.seq);
    if (event) hooks.event(event, 'central', seq ?? undefined);
  };

  const attempt = (): void => {
    if (retry.closed || socket || asking) return;
    since = refreshesEnded(options.onUnauthorized);
    const source = options.url;
    if (typeof source === 'string') {
      dial(source);
      return;
    }
    asking = true;
    Promise.resolve()
      .then(source)
      .then(dial, cannotOpen)
      .finally(() => {
        asking = false;
      });
  };

  const dial = (target: string): void => {
    if (retry.closed) return;
    url = target;
    let s: WebSocketLike;
    try {
      const resume = centralResumeUrl(target, hooks.readCentralCursor());
      const handshake: CentralHandshake = takesProtocols
        ? centralHandshake(resume)
        : { url: resume };
      s = factory(handshake.url, handshake.protocols);
    } catch (cause) {
      cannotOpen(cause);
      return;
    }
    socket = s;
    connectTimer = timers.setTimeout(
      () => drop(new KitchenSyncError('timeout', 'central WebSocket did not open in time')),
      connectWithin,
    );
    s.onopen = () => {
      timers.clearTimeout(connectTimer);
      connectTimer = null;
      retry.succeeded();
      open = true;
      pingTimer = timers.setInterval(ping, pingEvery);
      hooks.up('central');
    };
    s.onmessage = (event) => onMessage(event.data);
    s.onclose = (event) => {
      const code = (event as { code?: number } | undefined)?.code ?? 0;
      const refusal = REFUSALS[code];
      if (!refusal)
        return drop(open ? null : new KitchenSyncError('network', 'central WebSocket closed'));
      const refresh = code === 4401 && options.onUnauthorized;
      drop(new KitchenSyncError(refusal, `central refused the socket (${code})`), () => {
        if (!refresh) return refused();
        // One refresh per refused URL, however many attempts meet it; then the backoff, so a
        // refreshed URL that is refused as well is reported and retried, never hammered.
        refreshOnce(refresh, url, since)
          .catch((cause) =>
            hooks.error(new KitchenSyncError('unauthorized', String(cause)), 'central'),
          )
          .finally(refused);
      });
    };
    s.onerror = () => {
      // `close` follows every error; reconnecting happens there.
    };
  };

  return {
    connect() {
      retry.open();
    },
    retryNow() {
      if (!socket) retry.now();
    },
    close() {
      retry.close();
      drop(null);
    },
    get connected() {
      return open;
    },
  };
}
