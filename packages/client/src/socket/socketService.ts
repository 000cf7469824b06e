import type { CaughtUpMessage, EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { KitchenSyncError } from '../errors.js';
import type { BackoffOptions } from '../lib/backoff.js';
import { Disposables, type EnvironmentOptions, resolveEnvironment } from '../lib/environment.js';
import { Listeners } from '../lib/listeners.js';
import { RecentKeys } from '../lib/recentKeys.js';
import { readonly, writable } from '../store.js';
import {
  type CentralTransport,
  centralSocketUrl,
  createCentralTransport,
  type WebSocketFactory,
} from './centralTransport.js';
import { dedupKeys } from './dedupKeys.js';
import { createLocalTransport, type IoFactory, type LocalTransport } from './localTransport.js';
import {
  createPollingTransport,
  type PollingOptions,
  type PollingTransport,
} from './pollingTransport.js';
import { createRelayProbe, type RelayProbe } from './relayProbe.js';
import type { TokenSource, TransportHooks } from './transport.js';
import type { Cursor, CursorSource, EventSource, SocketService, SocketStatus } from './types.js';

export interface SocketServiceOptions extends EnvironmentOptions {
  outletId: string | number;
  /** Central backend base (`https://api.example.com`); the socket goes to `/ws/outlet/{id}/`. */
  centralUrl?: string;
  /** Full central WebSocket URL; wins over `centralUrl`. */
  centralWsUrl?: string;
  /** LAN relay base (`http://192.168.1.10:3001`), for socket.io and polling. */
  relayUrl?: string;
  /** Relay token, or a function asked at every connect so a refreshed token is used. */
  token?: TokenSource;
  /** The relay refused the token: refresh it here; the next attempt asks `token` again. */
  onUnauthorized?: () => unknown;
  /** Handshake `client_id`. Default: a random id per service. */
  clientId?: string;
  /** Where to resume the relay log from; read at every (re)connect. */
  cursor?: CursorSource;
  WebSocket?: WebSocketFactory;
  io?: IoFactory;
  /** socket.io server path on the relay. Default `/socket.io`. */
  socketPath?: string;
  /** How long `start()` waits for a socket before it polls. Default 3 s. */
  pollingGraceMs?: number;
  polling?: Omit<PollingOptions, 'relayUrl' | 'outletId' | 'token' | 'onUnauthorized'>;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  reconnect?: BackoffOptions;
  /** How many recent event keys are remembered for de-duplication. Default 5,000. */
  dedupSize?: number;
  /** Default `request()` timeout. Default 5 s. */
  requestTimeoutMs?: number;
  /**
   * While the relay is unreachable, `GET /health` about this often (jittered ±50 %); its first
   * answer reconnects and polls at once instead of waiting out the backoff. Default 1 s; 0 off.
   */
  relayProbeMs?: number;
}

/** A service before any transport came up. */
export const DISCONNECTED: SocketStatus = {
  mode: 'disconnected',
  centralConnected: false,
  localConnected: false,
  isPolling: false,
  lastConnected: null,
  error: null,
};

const SEQ_SOURCES: ReadonlySet<EventSource> = new Set(['local', 'poll']);

export function createSocketService(options: SocketServiceOptions): SocketService {
  const env = resolveEnvironment(options);
  const { timers } = env;
  const centralUrl =
    options.centralWsUrl ??
    (options.centralUrl ? centralSocketUrl(options.centralUrl, options.outletId) : undefined);
  const relayUrl = options.relayUrl?.replace(/\/+$/, '');
  const clientId = options.clientId ?? `ks-${env.random().toString(36).slice(2, 12)}`;
  const grace = options.pollingGraceMs ?? 3_000;

  const status = writable<SocketStatus>(DISCONNECTED);
  let cursorSource = options.cursor;
  const cursor = writable<Cursor>(cursorSource?.get() ?? { since: 0, epoch: null });
  const listeners = new Listeners();
  let recent = new RecentKeys(options.dedupSize);
  // The relay log the recent keys came from. A new log (the relay lost its data) starts its
  // orders' histories again: its `new_order:<id>:pending` is not a copy of the old one.
  let recentEpoch: string | null = null;
  const enterEpoch = (epoch: string | null | undefined): void => {
    if (typeof epoch !== 'string' || epoch === recentEpoch) return;
    if (recentEpoch !== null) recent = new RecentKeys(options.dedupSize);
    recentEpoch = epoch;
  };

  let started = false;
  let graceTimer: unknown = null;
  let disposables = new Disposables();

  const patch = (change: Partial<SocketStatus>): void => {
    const prev = status.get();
    const next = { ...prev, ...change };
    next.mode =
      next.centralConnected || next.localConnected
        ? 'connected'
        : next.isPolling
          ? 'polling'
          : 'disconnected';
    const changed = (Object.keys(next) as Array<keyof SocketStatus>).some(
      (k) => next[k] !== prev[k],
    );
    if (changed) status.set(next);
  };

  let probe: RelayProbe | null = null;
  // Only while started and the relay link is down: the probe stops itself at the first answer.
  const probeRelay = (): void => {
    if (started && probe && !local?.connected) probe.start();
  };

  const socketUp = (): boolean => central?.connected === true || local?.connected === true;

  // Polling bridges the gap only while no socket is up, and only after a grace period so a
  // socket that is merely slow to open does not trigger a burst of HTTP requests.
  const reconcilePolling = (): void => {
    if (!started || !polling) return;
    if (socketUp()) {
      timers.clearTimeout(graceTimer);
      graceTimer = null;
      if (polling.active) stopPolling();
      return;
    }
    if (polling.active || graceTimer !== null) return;
    graceTimer = timers.setTimeout(() => {
      graceTimer = null;
      if (started && !socketUp()) startPolling();
    }, grace);
  };

  const setCursor = (next: Cursor): void => {
    const prev = cursor.get();
    if (prev.since !== next.since || prev.epoch !== next.epoch) cursor.set(next);
  };

  const hooks: TransportHooks = {
    env,
    up(source) {
      if (source === 'local') probe?.stop();
      patch({
        ...(source === 'central' ? { centralConnected: true } : {}),
        ...(source === 'local' ? { localConnected: true } : {}),
        lastConnected: env.now(),
        error: null,
      });
      reconcilePolling();
    },
    down(source) {
      patch({
        ...(source === 'central' ? { centralConnected: false } : {}),
        ...(source === 'local' ? { localConnected: false } : {}),
        lastConnected: env.now(),
      });
      if (source === 'local') probeRelay();
      reconcilePolling();
    },
    error(error) {
      patch({ error });
      if (error.code === 'network' || error.code === 'timeout') probeRelay();
    },
    event(event: EventEnvelope, source: EventSource) {
      const keys = dedupKeys(event);
      if (!keys.some((k) => recent.has(k))) {
        for (const k of keys) recent.add(k);
        listeners.emit('event', event, source);
        listeners.emit(event.type, event, source);
      }
      // Listeners have run: only now may a reconnect resume after this event.
      if (SEQ_SOURCES.has(source) && typeof event.seq === 'number') {
        const c = cursor.get();
        if (event.seq > c.since) setCursor({ since: event.seq, epoch: c.epoch });
      }
    },
    snapshot(snapshot: SnapshotMessage, source: EventSource) {
      enterEpoch(snapshot.epoch);
      listeners.emit('sync:snapshot', snapshot, source);
      setCursor({ since: snapshot.seq, epoch: snapshot.epoch });
    },
    caughtUp(caughtUp: CaughtUpMessage, source: EventSource) {
      enterEpoch(caughtUp.epoch);
      listeners.emit('sync:caught_up', caughtUp, source);
      setCursor({ since: caughtUp.seq, epoch: caughtUp.epoch });
    },
    advance(next) {
      const c = cursor.get();
      if (next.epoch !== c.epoch || next.since > c.since) setCursor(next);
    },
    readCursor() {
      if (cursorSource) setCursor(cursorSource.get());
      return cursor.get();
    },
    currentCursor: () => cursor.get(),
  };

  const central: CentralTransport | null = centralUrl
    ? createCentralTransport(
        {
          url: centralUrl,
          outletId: options.outletId,
          WebSocket: options.WebSocket,
          pingIntervalMs: options.pingIntervalMs,
          pongTimeoutMs: options.pongTimeoutMs,
          reconnect: options.reconnect,
        },
        hooks,
      )
    : null;
  const local: LocalTransport | null = relayUrl
    ? createLocalTransport(
        {
          url: relayUrl,
          clientId,
          token: options.token,
          io: options.io,
          path: options.socketPath,
          reconnect: options.reconnect,
          onUnauthorized: options.onUnauthorized,
        },
        hooks,
      )
    : null;
  let polling: PollingTransport | null = null;
  let pollingOutlet = options.outletId;

  const makePolling = (outletId: string | number): PollingTransport | null => {
    if (!relayUrl) return null;
    return createPollingTransport(
      {
        ...options.polling,
        relayUrl,
        outletId,
        token: options.token,
        onUnauthorized: options.onUnauthorized,
      },
      hooks,
    );
  };
  polling = makePolling(options.outletId);
  const probeMs = options.relayProbeMs ?? 1_000;
  if (relayUrl && probeMs > 0) {
    probe = createRelayProbe(env, {
      url: relayUrl,
      intervalMs: probeMs,
      onBack: () => {
        local?.retryNow();
        polling?.poke();
      },
    });
  }

  function startPolling(outletId: string | number = options.outletId): void {
    if (String(outletId) !== String(pollingOutlet)) {
      polling?.stop();
      pollingOutlet = outletId;
      polling = makePolling(outletId);
    }
    if (!polling) return;
    patch({ isPolling: true });
    polling.start();
  }

  function stopPolling(): void {
    polling?.stop();
    patch({ isPolling: false });
  }

  const retryAll = (): void => {
    central?.retryNow();
    local?.retryNow();
    polling?.poke();
  };

  return {
    status: readonly(status),
    cursor: readonly(cursor),
    start() {
      if (started) return;
      started = true;
      disposables = new Disposables();
      // The browser's own signal is faster than any backoff: retry at once.
      disposables.listen(env.window, 'online', retryAll);
      central?.connect();
      local?.connect();
      reconcilePolling();
    },
    stop() {
      started = false;
      disposables.dispose();
      timers.clearTimeout(graceTimer);
      graceTimer = null;
      probe?.stop();
      central?.close();
      local?.close();
      stopPolling();
    },
    connectCentral() {
      central?.connect();
    },
    useCursor(source) {
      if (source === cursorSource) return;
      cursorSource = source;
      setCursor(source.get());
      if (!started) return;
      // The new source has not seen what this service dispatched before: let the replay through.
      recent = new RecentKeys(options.dedupSize);
      // Events already sent from the old position may not be in the new source's store.
      local?.close();
      local?.connect();
      if (polling?.active) {
        polling.stop();
        polling.start();
      }
    },
    connectLocal() {
      local?.connect();
    },
    startPolling,
    stopPolling,
    on(type, fn) {
      return listeners.on(type, fn as (...args: never[]) => void);
    },
    isConnected: socketUp,
    request(type, payload, requestOptions) {
      if (!local) {
        return Promise.reject(new KitchenSyncError('network', 'no relay configured'));
      }
      return local.request(
        type,
        payload,
        requestOptions?.timeoutMs ?? options.requestTimeoutMs ?? 5_000,
      );
    },
  };
}
