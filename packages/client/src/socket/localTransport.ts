import {
  type CaughtUpMessage,
  type EventEnvelope,
  isErrorCode,
  type RequestType,
  type SnapshotMessage,
  SOCKET_EVENTS,
} from '@kitchen-sync/protocol';
import { io as realIo } from 'socket.io-client';
import { KitchenSyncError } from '../errors.js';
import type { BackoffOptions } from '../lib/backoff.js';
import { type RefreshesEnded, refreshesEnded, refreshOnce } from '../lib/refreshOnce.js';
import { cursorFields } from './cursor.js';
import { Reconnector } from './reconnector.js';
import { refusalDetails } from './tokenRefusal.js';
import { resolveSource, type TokenSource, type TransportHooks } from './transport.js';
import type { RequestAck } from './types.js';

/** The part of a socket.io-client `Socket` the local transport uses. */
export interface RelaySocket {
  readonly connected: boolean;
  auth: unknown;
  connect(): unknown;
  disconnect(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}

export interface RelaySocketOptions {
  autoConnect: boolean;
  /** Each service its own connection, even to a relay another service in the page uses. */
  forceNew: boolean;
  reconnection: boolean;
  transports: string[];
  path?: string;
}

export type IoFactory = (url: string, options: RelaySocketOptions) => RelaySocket;

export interface LocalTransportOptions {
  url: string;
  clientId: string;
  token?: TokenSource;
  io?: IoFactory;
  /** socket.io server path. Default `/socket.io`. */
  path?: string;
  reconnect?: BackoffOptions;
  /** Called when the relay refuses the token; refresh it here before the next attempt. */
  onUnauthorized?: () => unknown;
}

export interface LocalTransport {
  connect(): void;
  retryNow(): void;
  close(): void;
  request(type: RequestType, payload: unknown, timeoutMs: number): Promise<RequestAck>;
  readonly connected: boolean;
}

const SUSPECT_MS = 5_000;

export function createLocalTransport(
  options: LocalTransportOptions,
  hooks: TransportHooks,
): LocalTransport {
  const { env } = hooks;
  const { timers } = env;
  const factory: IoFactory = options.io ?? (realIo as unknown as IoFactory);
  const retry = new Reconnector(env, options.reconnect, () => void attempt());
  // Failing them on disconnect lets an outbox retry at once instead of waiting for a timeout.
  const pending = new Set<(error: KitchenSyncError) => void>();

  let socket: RelaySocket | null = null;
  let open = false;
  let connecting = false;
  // The last attempt's token, and the refreshes ended before it (see refreshOnce).
  let token: string | undefined;
  let since: RefreshesEnded;

  // The socket is gone (dropped, or closed by us): requests waiting for an ack fail now.
  const lost = (): void => {
    connecting = false;
    const error = new KitchenSyncError('network', 'relay connection lost before the ack');
    for (const reject of [...pending]) reject(error);
    if (open) {
      open = false;
      hooks.down('local');
    }
  };

  // A refused or unobtainable token: the app refreshes it (onUnauthorized), then we retry.
  const refreshThenRetry = (): void => {
    if (!options.onUnauthorized) {
      retry.schedule();
      return;
    }
    refreshOnce(options.onUnauthorized, token, since)
      .catch((cause) => hooks.error(new KitchenSyncError('unauthorized', String(cause)), 'local'))
      .finally(() => retry.schedule());
  };

  const create = (): RelaySocket => {
    // Our own backoff and timers drive reconnects, so the token and cursor are fresh each time.
    const s = factory(options.url, {
      autoConnect: false,
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
      ...(options.path ? { path: options.path } : {}),
    });
    s.on('connect', () => {
      connecting = false;
      retry.succeeded();
      open = true;
      hooks.up('local');
    });
    s.on('connect_error', (error: Error) => {
      connecting = false;
      // The relay's middleware refuses with a protocol code; anything else never reached it.
      const code = isErrorCode(error?.message) ? error.message : null;
      // The relay's cause (`data.message`), coded: an expired token and another secret differ.
      const data = (error as { data?: Parameters<typeof refusalDetails>[0] }).data;
      hooks.error(
        code
          ? new KitchenSyncError(
              code,
              `relay refused the connection: ${error.message}`,
              refusalDetails(data),
            )
          : hooks.unreachable(error, `cannot connect to the relay: ${error?.message}`),
        'local',
      );
      if (code === 'unauthorized') refreshThenRetry();
      else retry.schedule();
    });
    s.on('disconnect', () => {
      lost();
      retry.schedule();
    });
    s.on(SOCKET_EVENTS.EVENT, (event: EventEnvelope) => hooks.event(event, 'local'));
    s.on(SOCKET_EVENTS.SNAPSHOT, (snapshot: SnapshotMessage) => hooks.snapshot(snapshot, 'local'));
    s.on(SOCKET_EVENTS.CAUGHT_UP, (caughtUp: CaughtUpMessage) => hooks.caughtUp(caughtUp, 'local'));
    s.on(SOCKET_EVENTS.BRIDGE, hooks.bridge);
    return s;
  };

  const attempt = async (): Promise<void> => {
    if (retry.closed || connecting || open) return;
    connecting = true;
    since = refreshesEnded(options.onUnauthorized);
    token = undefined;
    try {
      token = await resolveSource(options.token);
    } catch (cause) {
      connecting = false;
      hooks.error(
        new KitchenSyncError('unauthorized', 'token could not be obtained', { cause }),
        'local',
      );
      refreshThenRetry();
      return;
    }
    if (retry.closed) {
      connecting = false;
      return;
    }
    try {
      socket ??= create();
      const cursor = hooks.readCursor();
      socket.auth = {
        ...(token !== undefined ? { token } : {}),
        client_id: options.clientId,
        ...cursorFields(cursor),
      };
      socket.connect();
    } catch (cause) {
      // A throwing factory or cursor must not leave `connecting` set: nothing would retry.
      connecting = false;
      hooks.error(
        new KitchenSyncError('network', 'cannot open the relay socket', { cause }),
        'local',
      );
      retry.schedule();
    }
  };

  return {
    connect() {
      retry.open();
    },
    retryNow() {
      if (open) return;
      // An attempt into a black hole (SYNs dropped) holds `connecting` for socket.io's 20 s
      // connect timeout; the relay answers now (probe, online), so give it up and go again.
      socket?.disconnect();
      connecting = false;
      retry.now();
    },
    close() {
      retry.close();
      socket?.disconnect();
      lost();
    },
    request(type, payload, timeoutMs) {
      const s = socket;
      if (!s || !open) {
        return Promise.reject(new KitchenSyncError('network', 'not connected to the relay'));
      }
      return new Promise<RequestAck>((resolve, reject) => {
        const settle = (): void => {
          for (const t of watch) timers.clearTimeout(t);
          pending.delete(fail);
        };
        const fail = (error: KitchenSyncError): void => {
          settle();
          reject(error);
        };
        const watch = [
          timers.setTimeout(
            () =>
              fail(new KitchenSyncError('timeout', `no ack for ${type} within ${timeoutMs} ms`)),
            timeoutMs,
          ),
          // No ack in 5 s: the link may have died without a word (a Wi-Fi roam) and the
          // heartbeat takes far longer to tell. A ping unanswered as well drops the socket, so
          // its pending requests fail at once and it reconnects.
          timers.setTimeout(
            () => s.emit(SOCKET_EVENTS.PING, () => timers.clearTimeout(watch[2])),
            SUSPECT_MS,
          ),
          timers.setTimeout(() => s.disconnect(), 2 * SUSPECT_MS),
        ];
        pending.add(fail);
        s.emit(type, payload, (ack: RequestAck) => {
          if (!pending.has(fail)) return;
          settle();
          resolve(ack);
        });
      });
    },
    get connected() {
      return open;
    },
  };
}
