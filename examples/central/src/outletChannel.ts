import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { boardOrder } from '@kitchen-sync/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import type { DeviceTokenClaims } from './deviceTokens.js';
import { OPEN_ORDERS_WINDOW_MS, openOrders } from './openOrders.js';
import { OutletLog } from './outletLog.js';

const PATH = /^\/ws\/outlet\/([^/]+)\/?$/;
// Up to 15 digits, every one exact as a JS number (Django takes 18 and answers reset beyond the head).
const CURSOR = /^\d{1,15}$/;
/** The Django consumer's close codes: a refused cursor, token, or scope. */
const CLOSE_INVALID = 4400;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
/**
 * The client offers this subprotocol and, beside it, `kitchen-sync.bearer.<token>`: out of the
 * URL, which a browser prints to its console when the socket fails and proxies log.
 */
const SUBPROTOCOL = 'kitchen-sync';
const BEARER_PREFIX = `${SUBPROTOCOL}.bearer.`;

/** Reads a token's claims; null when it is missing, forged or expired. */
export type TokenVerifier = (token: string | null) => Promise<DeviceTokenClaims | null>;

export interface OutletChannelOptions {
  /** Milliseconds since the epoch; the log's clock too. */
  now?: () => number;
  /**
   * Read the token from the offered subprotocol too (default). `false` plays a central from
   * before that: it reads only `?token=` and answers no subprotocol, as an old Django consumer.
   */
  tokenInSubprotocol?: boolean;
  /** A socket without a cursor gets the orders whose latest event is this recent. */
  openOrdersWindowMs?: number;
}

interface Subscriber {
  outletId: string;
  /** The tenants this socket may see; null: every tenant of the outlet (a POS or a monitor). */
  tenants: string[] | null;
  /** `?since=`: the last seq the screen has; undefined when it has none; null when unreadable. */
  since: number | null | undefined;
  /** A board's token: every order goes out without the guests' data, as from the relay. */
  board: boolean;
}

/**
 * The central WebSocket `ws/outlet/{id}/[?tenant=…][&since=…]`, shaped like the Django Channels
 * consumer the users run: the token (from the outlet settings' `websocket_url`, offered as the
 * subprotocol `kitchen-sync.bearer.<token>`, or `?token=` from older clients) must be for this
 * outlet, and one with `tenants` (a kitchen's) only ever gets those tenants' events;
 * `?tenant=` narrows further. `{ event, data, seq }` frames out, the events after `?since=`
 * replayed first and then `{ type: 'caught_up', seq }` (or `{ type: 'reset', seq }` when the
 * log no longer reaches the cursor), `{ type: 'ping' }` answered with a pong. A socket without
 * `?since=`, or reset, gets the open orders first, `{ event, data }` without `seq` (they are a
 * snapshot, not places in the log). Unlike Django, always: no relay reports to this central
 * that it is delivering them.
 */
export class OutletChannel {
  #wss: WebSocketServer;
  #subscribers = new Map<WebSocket, Subscriber>();

  #now: () => number;
  #openOrdersWindowMs: number;
  #tokenInSubprotocol: boolean;

  constructor(
    private readonly verify: TokenVerifier,
    options: OutletChannelOptions = {},
    private readonly log = new OutletLog(undefined, options.now),
  ) {
    this.#now = options.now ?? Date.now;
    this.#tokenInSubprotocol = options.tokenInSubprotocol ?? true;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      // Never the bearer one (ws would answer with the first offered): it would echo the token.
      handleProtocols: (offered) =>
        this.#tokenInSubprotocol && offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false,
    });
    this.#openOrdersWindowMs = options.openOrdersWindowMs ?? OPEN_ORDERS_WINDOW_MS;
    this.#wss.on('connection', (socket: WebSocket, subscriber: Subscriber | number) => {
      socket.on('error', () => socket.terminate());
      if (typeof subscriber === 'number') {
        // Accepted first, as the consumer does, so the client can read the code; nothing is sent.
        socket.close(subscriber);
        return;
      }
      if (subscriber.since === null) {
        // Accepted first so the client can read why; it must not retry with this cursor.
        send(socket, {
          type: 'error',
          code: 'invalid_payload',
          message: 'since must be a non-negative integer',
        });
        socket.close(CLOSE_INVALID);
        return;
      }
      this.#catchUp(socket, subscriber);
      this.#subscribers.set(socket, subscriber);
      socket.on('close', () => this.#subscribers.delete(socket));
      socket.on('message', (raw) => this.#onMessage(socket, raw.toString()));
    });
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Returns false when the URL is not ours, so the caller can refuse the upgrade. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://central.invalid');
    const match = PATH.exec(url.pathname);
    if (!match?.[1]) return false;
    const outletId = decodeURIComponent(match[1]);
    // The client may hang up while its token is checked: no error may go unheard meanwhile.
    const hungUp = (): void => {
      socket.destroy();
    };
    socket.on('error', hungUp);
    const offered = this.#tokenInSubprotocol ? offeredToken(request) : null;
    void this.verify(offered ?? url.searchParams.get('token')).then((claims) => {
      socket.off('error', hungUp);
      const scope = socketScope(claims, outletId, url.searchParams.get('tenant'));
      const since = url.searchParams.get('since');
      const subscriber: Subscriber | number =
        typeof scope === 'number'
          ? scope
          : {
              outletId,
              tenants: scope,
              since: since === null ? undefined : CURSOR.test(since) ? Number(since) : null,
              board: claims?.role === 'board',
            };
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        this.#wss.emit('connection', ws, subscriber);
      });
    });
    return true;
  }

  publish(
    outletId: string | number,
    tenantId: string | number | null,
    event: string,
    data: unknown,
  ): void {
    const outlet = String(outletId);
    const logged = this.log.append(
      outlet,
      tenantId === null ? null : String(tenantId),
      event,
      data,
    );
    const frame = JSON.stringify({ event, data, seq: logged.seq });
    const boardFrame = JSON.stringify({ event, data: boardOrder(data), seq: logged.seq });
    for (const [socket, subscriber] of this.#subscribers) {
      if (subscriber.outletId !== outlet || !wants(subscriber, logged.tenantId)) continue;
      if (socket.readyState === WebSocket.OPEN) socket.send(subscriber.board ? boardFrame : frame);
    }
  }

  /** An outage drops every socket at once, the way a dead uplink does. */
  dropAll(): void {
    for (const socket of this.#subscribers.keys()) socket.terminate();
    this.#subscribers.clear();
  }

  close(): void {
    this.dropAll();
    this.#wss.close();
  }

  /**
   * Everything after the screen's cursor (or, without one, the open orders), then the head it
   * is now at; live events follow. Synchronous: nothing is published in between.
   */
  #catchUp(socket: WebSocket, subscriber: Subscriber): void {
    const { outletId, since } = subscriber;
    const head = this.log.head(outletId);
    if (since === undefined || since === null) {
      this.#sendOpenOrders(socket, subscriber);
    } else if (!this.log.reaches(outletId, since)) {
      // The screen must refetch its state: its cursor is another log's, or pruned. It starts
      // again at the head, with the open orders as they stand.
      send(socket, { type: 'reset', seq: head });
      this.#sendOpenOrders(socket, subscriber);
    } else {
      for (const logged of this.log.after(outletId, since)) {
        if (!wants(subscriber, logged.tenantId)) continue;
        send(socket, {
          event: logged.event,
          data: visible(subscriber, logged.data),
          seq: logged.seq,
        });
      }
    }
    send(socket, { type: 'caught_up', seq: head });
  }

  #sendOpenOrders(socket: WebSocket, subscriber: Subscriber): void {
    const open = openOrders(
      this.log.after(subscriber.outletId, 0),
      this.#now() - this.#openOrdersWindowMs,
      (tenantId) => wants(subscriber, tenantId),
    );
    for (const logged of open) {
      send(socket, { event: logged.event, data: visible(subscriber, logged.data) });
    }
  }

  #onMessage(socket: WebSocket, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if ((message as { type?: unknown } | null)?.type === 'ping') {
      send(socket, { type: 'pong', ts: new Date().toISOString() });
    }
  }
}

/**
 * The tenants a socket may see (null: the whole outlet), or the close code that refuses it:
 * the Django consumer's `_scope`.
 */
function socketScope(
  claims: DeviceTokenClaims | null,
  outletId: string,
  wanted: string | null,
): string[] | null | number {
  if (!claims) return CLOSE_UNAUTHORIZED;
  if (claims.outlet !== outletId) return CLOSE_FORBIDDEN;
  if (wanted) {
    if (claims.tenants && !claims.tenants.includes(wanted)) return CLOSE_FORBIDDEN;
    return [wanted];
  }
  return claims.tenants;
}

/** The token in a `kitchen-sync.bearer.<token>` subprotocol the client offered, or null. */
function offeredToken(request: IncomingMessage): string | null {
  const header = request.headers['sec-websocket-protocol'] ?? '';
  for (const protocol of header.split(',')) {
    const value = protocol.trim();
    if (value.startsWith(BEARER_PREFIX)) return value.slice(BEARER_PREFIX.length);
  }
  return null;
}

/** The order as this socket may receive it: a board's without the guests' data. */
const visible = (subscriber: Subscriber, order: unknown) =>
  subscriber.board ? boardOrder(order) : order;

/** A tenant's screen gets its tenants' events only; one without a tenant goes to none of them. */
function wants(subscriber: Subscriber, tenantId: string | null): boolean {
  return (
    subscriber.tenants === null || (tenantId !== null && subscriber.tenants.includes(tenantId))
  );
}

function send(socket: WebSocket, frame: unknown): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}
