import type { CaughtUpMessage, EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { KitchenSyncError, type SocketError } from '../errors.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { BackoffOptions } from '../lib/backoff.js';
import { ContiguousSeqs } from '../lib/contiguousSeqs.js';
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
import { carrySinceEvent, centralCursorOf, cursorAt, eventIdOf, positionAt } from './cursor.js';
import { dedupKeys } from './dedupKeys.js';
import {
  type LocalNetworkState,
  type PermissionsLike,
  permissionNames,
  watchLocalNetworkAccess,
} from './localNetworkAccess.js';
import { createLocalTransport, type IoFactory, type LocalTransport } from './localTransport.js';
import {
  createPollingTransport,
  type PollingOptions,
  type PollingTransport,
} from './pollingTransport.js';
import {
  crossesIntoLocalNetwork,
  httpRelayUrl,
  isBlockedAsMixedContent,
  isHttpsPage,
  isLoopbackUrl,
  relaySetupUrl,
} from './relayAddress.js';
import { createRelayProbe, type RelayProbe } from './relayProbe.js';
import { describeProblem, relayProblem } from './relayProblem.js';
import { isObject, type StringSource, type TokenSource, type TransportHooks } from './transport.js';
import type {
  CentralCursor,
  CentralCursorSource,
  Cursor,
  CursorSource,
  EventSource,
  SocketService,
  SocketStatus,
} from './types.js';

// `| undefined` where an app may pass on a value it might not have (exactOptionalPropertyTypes).
export interface SocketServiceOptions extends EnvironmentOptions {
  outletId: string | number;
  /** Central backend base (`https://api.example.com`); the socket goes to `/ws/outlet/{id}/`. */
  centralUrl?: string | undefined;
  /**
   * Full central WebSocket URL; wins over `centralUrl`. Or a function asked at every central
   * (re)connect, so a URL with a refreshed token is used.
   */
  centralWsUrl?: StringSource | undefined;
  /**
   * Central refused the socket's token (4401): refresh it here; the next attempt asks
   * `centralWsUrl` again. One call per refused URL (as `onUnauthorized`), then the backoff.
   */
  onCentralUnauthorized?: (() => unknown) | undefined;
  /** LAN relay base (`http://192.168.1.10:3001`), for socket.io and polling. */
  relayUrl?: string | undefined;
  /** Relay token, or a function asked at every connect so a refreshed token is used. */
  token?: TokenSource | undefined;
  /** The relay refused the token: refresh it here; the next attempt asks `token` again. */
  onUnauthorized?: (() => unknown) | undefined;
  /** Handshake `client_id`. Default: `ks-` and a `uuidv7()`, one per service. */
  clientId?: string | undefined;
  /** Where to resume the relay log from; read at every (re)connect. */
  cursor?: CursorSource;
  /** Where to resume central's outlet log from (`?since=`); read at every central (re)connect. */
  centralCursor?: CentralCursorSource;
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
  /**
   * The page, to tell before connecting what the browser will block: an http relay from a
   * secure page, Local Network Access from a public one. Default `location` and `isSecureContext`.
   */
  page?: { href: string; isSecureContext: boolean } | null;
  /** For the Local Network Access permission. Default `navigator.permissions`; `null` skips it. */
  permissions?: PermissionsLike | null;
}

/** A service before any transport came up. */
export const DISCONNECTED: SocketStatus = {
  mode: 'disconnected',
  centralConnected: false,
  localConnected: false,
  isPolling: false,
  pollConnected: false,
  lastConnected: null,
  error: null,
  reason: null,
  bridge: null,
  secureContext: null,
};

/** Relay failures that mean "not there": the probe tells when it is back. */
const UNREACHABLE: ReadonlySet<string> = new Set(['relay_unreachable', 'network', 'timeout']);

const SEQ_SOURCES: ReadonlySet<EventSource> = new Set(['local', 'poll']);

export function createSocketService(options: SocketServiceOptions): SocketService {
  const env = resolveEnvironment(options);
  const { timers } = env;
  const centralUrl =
    options.centralWsUrl ??
    (options.centralUrl ? centralSocketUrl(options.centralUrl, options.outletId) : undefined);
  const relayUrl = options.relayUrl && httpRelayUrl(options.relayUrl);
  const clientId = options.clientId ?? `ks-${uuidv7()}`;
  const grace = options.pollingGraceMs ?? 3_000;

  const page = options.page === undefined ? currentPage() : options.page;
  // Mixed content is blocked before any request: trying would only fail, forever.
  const relayBlocked =
    relayUrl !== undefined && isBlockedAsMixedContent(relayUrl, isHttpsPage(page?.href));
  const setupUrl = relayUrl ? relaySetupUrl(relayUrl) : undefined;
  // Set once the relay answered that it serves HTTPS only: every later failure of this
  // http:// address is that, not "unreachable".
  let httpsOnly = false;
  const httpsOnlyProblem = (cause?: unknown): SocketError =>
    new KitchenSyncError('relay_https_only', `${relayUrl} serves HTTPS only`, {
      relayUrl,
      httpsUrl: relayUrl?.replace(/^(http|ws):/i, 'https:'),
      cause,
    });
  const permissions =
    options.permissions === undefined
      ? ((globalThis.navigator as { permissions?: PermissionsLike } | undefined)?.permissions ??
        null)
      : options.permissions;
  const localNetworkApplies =
    relayUrl !== undefined && !relayBlocked && crossesIntoLocalNetwork(relayUrl, page?.href);
  // `null`: not in play for this page and relay; `unknown`: in play, the browser does not say.
  let localNetwork: LocalNetworkState | null = localNetworkApplies ? 'unknown' : null;
  // Chromium says `prompt` also where no prompt gates this relay (split DNS: a "public" page
  // name on the relay's own network), and `denied` where a denial gates nothing. Once the relay
  // answered, `prompt` cannot be why it stopped; nor `denied`, if it answered under the denial.
  let relayAnswered = false;
  let answeredWhileDenied = false;
  // Why the relay refused the last poll it answered (401, 429, 503): behind a proxy that blocks
  // WebSockets the socket's "cannot reach" would otherwise take turns with it in the status.
  let pollRefusal: SocketError | null = null;

  // Neither link to try: say so rather than "Connecting to central…" forever.
  const unconfigured =
    relayUrl || centralUrl
      ? null
      : new KitchenSyncError('not_configured', 'no relay or central URL');
  // A relay refusing a device that sent no token at all: "refused this device's token" would
  // send people to sign in again, when the outlet settings lack `relay_token`.
  const tokenMissing = (error: SocketError): SocketError =>
    error.code === 'unauthorized' && !options.token
      ? new KitchenSyncError('relay_token_missing', 'no relay token', { cause: error })
      : error;

  const status = writable<SocketStatus>({
    ...DISCONNECTED,
    secureContext: page ? page.isSecureContext : null,
  });
  // Each link keeps its own last error, so central coming up cannot hide why the relay is down.
  let relayError: SocketError | null = null;
  let centralError: SocketError | null = null;
  let cursorSource = options.cursor;
  const cursor = writable<Cursor>(cursorSource?.get() ?? { since: 0, epoch: null });
  let centralSource = options.centralCursor;
  const centralCursor = writable<CentralCursor | null>(centralCursorOf(centralSource?.get()));
  // Central seqs already dispatched: a resume from a stored cursor that lags resends them.
  let centralSeen = new ContiguousSeqs(centralCursor.get(), options.dedupSize);
  // The store tells its subscribers of every new object: only of one that moved.
  const setCentralCursor = (to: CentralCursor | null): void => {
    const prev = centralCursor.get();
    if (to?.since !== prev?.since || to?.since_event !== prev?.since_event) centralCursor.set(to);
  };
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
    const relayUp = next.localConnected || next.pollConnected;
    next.mode =
      next.localConnected || (next.centralConnected && !relayUrl)
        ? 'connected'
        : next.pollConnected
          ? 'polling'
          : next.centralConnected
            ? 'central_only'
            : 'disconnected';
    const relaySide = Boolean(relayUrl && !relayUp && relayError);
    next.error = relaySide
      ? relayError
      : centralUrl && !next.centralConnected
        ? centralError
        : unconfigured;
    // Between a socket closing and its error (if any) there is no error to describe, yet the
    // screen must still say why nothing flows.
    const link = relayUrl ? 'the relay' : 'central';
    next.reason =
      describeProblem(next.error, relaySide ? 'relay' : 'central') ??
      (next.mode === 'central_only'
        ? 'Connected to central, not to the relay: changes wait on this device.'
        : next.mode === 'disconnected' && started
          ? next.lastConnected === null
            ? `Connecting to ${link}…`
            : `Connection to ${link} lost; reconnecting.`
          : null);
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
    if (!started || !polling || relayBlocked) return;
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

  const setCursor = (to: Cursor): void => {
    const prev = cursor.get();
    const next = carrySinceEvent(prev, to);
    if (
      prev.since !== next.since ||
      prev.epoch !== next.epoch ||
      prev.since_event !== next.since_event
    )
      cursor.set(next);
  };

  const hooks: TransportHooks = {
    env,
    up(source) {
      if (source === 'local') probe?.stop();
      if (source === 'central') centralError = null;
      else {
        relayError = null;
        httpsOnly = false;
        relayAnswered = true;
        if (localNetwork === 'denied') answeredWhileDenied = true;
        if (source === 'poll') pollRefusal = null;
      }
      patch({
        ...(source === 'central' ? { centralConnected: true } : {}),
        ...(source === 'local' ? { localConnected: true } : {}),
        ...(source === 'poll' ? { pollConnected: true } : {}),
        lastConnected: env.now(),
      });
      reconcilePolling();
    },
    down(source) {
      const prev = status.get();
      const wasUp =
        source === 'central'
          ? prev.centralConnected
          : source === 'local'
            ? prev.localConnected
            : prev.pollConnected;
      patch({
        ...(source === 'central' ? { centralConnected: false } : {}),
        // What the relay last said about central is stale once the relay is away.
        ...(source === 'local' ? { localConnected: false, bridge: null } : {}),
        ...(source === 'poll' ? { pollConnected: false } : {}),
        ...(wasUp ? { lastConnected: env.now() } : {}),
      });
      if (source === 'local') probeRelay();
      reconcilePolling();
    },
    error(reported, source) {
      // A poll in Node reads the relay's 426 itself (a browser's preflight hides it).
      const relay = source !== 'central';
      // Only the relay answers https_required (central's codes are its close codes and frames).
      const error =
        reported.code === 'https_required'
          ? httpsOnlyProblem(reported)
          : relay
            ? tokenMissing(reported as SocketError)
            : (reported as SocketError);
      if (error.code === 'relay_https_only') httpsOnly = true;
      const unreachable = UNREACHABLE.has(error.code);
      if (source === 'poll') pollRefusal = unreachable ? null : error;
      if (relay)
        relayError = source === 'local' && unreachable && pollRefusal ? pollRefusal : error;
      else centralError = error;
      patch({});
      if (relay && unreachable) probeRelay();
    },
    unreachable(cause, message) {
      if (httpsOnly) return httpsOnlyProblem(cause);
      const gating =
        (relayAnswered && localNetwork === 'prompt') || answeredWhileDenied ? null : localNetwork;
      return relayProblem(cause, message, { setupUrl, localNetwork: gating });
    },
    event(event: EventEnvelope, source: EventSource, centralSeq?: number) {
      if (centralSeq !== undefined && !centralSeen.add(centralSeq, eventIdOf(event))) return;
      const [keys, leave] = dedupKeys(event);
      if (!keys.some((k) => recent.has(k))) {
        for (const k of [...keys, ...leave]) recent.add(k);
        listeners.emit('event', event, source, centralSeq);
        listeners.emit(event.type, event, source, centralSeq);
      }
      // Central's numbering is its own: it moves the central cursor, never the relay's.
      if (centralSeq !== undefined) setCentralCursor(centralSeen.cursor);
      // Listeners have run: only now may a reconnect resume after this event.
      if (SEQ_SOURCES.has(source) && typeof event.seq === 'number') {
        const c = cursor.get();
        if (event.seq > c.since)
          setCursor({ since: event.seq, epoch: c.epoch, since_event: event.event_id });
      }
    },
    snapshot(snapshot: SnapshotMessage, source: EventSource) {
      enterEpoch(snapshot.epoch);
      listeners.emit('sync:snapshot', snapshot, source);
      setCursor(cursorAt(snapshot));
    },
    caughtUp(caughtUp: CaughtUpMessage, source: EventSource) {
      enterEpoch(caughtUp.epoch);
      listeners.emit('sync:caught_up', caughtUp, source);
      setCursor(cursorAt(caughtUp));
    },
    bridge(message) {
      if (isObject(message) && typeof message.pending_events === 'number')
        patch({ bridge: message });
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
    readCentralCursor() {
      const stored = centralCursorOf(centralSource?.get());
      if (stored) setCentralCursor(stored);
      return centralCursor.get();
    },
    centralCaughtUp(seq, eventId) {
      centralSeen.caughtUp(positionAt(seq, eventId));
      setCentralCursor(centralSeen.cursor);
      listeners.emit('central:caught_up', { seq, event_id: eventId });
    },
    centralReset(seq, eventId) {
      // Another log's numbers (or a cursor central refused): what was seen says nothing now.
      const at = seq === null ? null : positionAt(seq, eventId);
      centralSeen = new ContiguousSeqs(at, options.dedupSize);
      setCentralCursor(at);
      listeners.emit('central:reset', { seq, event_id: eventId });
    },
  };

  const central: CentralTransport | null = centralUrl
    ? createCentralTransport(
        {
          url: centralUrl,
          onUnauthorized: options.onCentralUnauthorized,
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
      onHttpsOnly: () => {
        httpsOnly = true;
        relayError = httpsOnlyProblem();
        patch({});
      },
    });
  }

  function startPolling(outletId: string | number = options.outletId): void {
    if (relayBlocked) return;
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
    patch({ isPolling: false, pollConnected: false });
  }

  function connectLocal(): void {
    if (!relayBlocked) local?.connect();
  }

  const onLocalNetwork = (state: LocalNetworkState): void => {
    const before = localNetwork;
    localNetwork = state;
    if (state !== before) answeredWhileDenied = false;
    const relayUp = local?.connected === true || status.get().pollConnected;
    if (state === 'denied') {
      // Said before the first attempt fails; an attempt that gets through clears it.
      if (!relayUp) {
        relayError = relayProblem(null, 'local network access is denied', {
          setupUrl,
          localNetwork,
        });
        patch({});
      }
      return;
    }
    if (
      relayError?.code === 'local_network_denied' ||
      relayError?.code === 'local_network_prompt'
    ) {
      relayError = null;
      patch({});
    }
    // Granted in the site settings (or the denial reset): try now, not at the next backoff.
    if (before === 'denied' || before === 'prompt') retryAll();
  };

  const dropCentral = (): void => {
    if (!central?.connected) return;
    central.close();
    central.connect();
  };

  const retryAll = (): void => {
    central?.retryNow();
    local?.retryNow();
    polling?.poke();
  };

  return {
    status: readonly(status),
    cursor: readonly(cursor),
    centralCursor: readonly(centralCursor),
    start() {
      if (started) return;
      started = true;
      disposables = new Disposables();
      // The browser's own signal is faster than any backoff: retry at once.
      disposables.listen(env.window, 'online', retryAll);
      // And the other way: socket.io drops the relay link on `offline`; central's WebSocket
      // would otherwise pass for up until its keepalive misses (up to 35 s), so a kitchen that
      // lost its network would say central still brings orders.
      disposables.listen(env.window, 'offline', dropCentral);
      if (relayBlocked && relayUrl) {
        relayError = new KitchenSyncError(
          'relay_insecure_url',
          `a secure page cannot reach ${relayUrl}: use the relay's https:// address`,
          { relayUrl },
        );
      }
      // The mode's reason ("Connecting…") from the start, not from the first link event.
      patch({});
      // A page that is not a secure context can never be granted the permission, and Chromium
      // answers `denied` there whatever gates the relay: the API tells such a page nothing.
      if (localNetworkApplies && permissions && relayUrl && page?.isSecureContext) {
        const names = permissionNames(isLoopbackUrl(relayUrl));
        disposables.add(watchLocalNetworkAccess(permissions, names, onLocalNetwork));
      }
      central?.connect();
      connectLocal();
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
      // Stopped is not reconnecting: drop the reason that said so.
      patch({});
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
      connectLocal();
      if (polling?.active) {
        polling.stop();
        polling.start();
      }
    },
    useCentralCursor(source) {
      if (source === centralSource) return;
      centralSource = source;
      const stored = centralCursorOf(source.get());
      if (stored) setCentralCursor(stored);
      // What this service dispatched may not be in the source's store: let the replay through.
      centralSeen = new ContiguousSeqs(centralCursor.get(), options.dedupSize);
      if (!started || !central) return;
      central.close();
      central.connect();
    },
    connectLocal,
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

function currentPage(): { href: string; isSecureContext: boolean } | null {
  const g = globalThis as { location?: { href?: unknown }; isSecureContext?: unknown };
  if (typeof g.location?.href !== 'string') return null;
  return { href: g.location.href, isSecureContext: g.isSecureContext === true };
}
