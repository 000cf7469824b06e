import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import cors from '@fastify/cors';
import type { BridgeHealth, Id } from '@kitchen-sync/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from './auth/principal.js';
import { createRefusedDevices } from './auth/refusedDevices.js';
import { centralOutletProblem, servedOnly, servedOutletsOf } from './auth/servedOutlets.js';
import { createTokenVerifier } from './auth/tokens.js';
import { registerBridgeMetrics } from './bridge/bridgeMetrics.js';
import {
  type BridgeAnnouncer,
  bridgeStatusOf,
  createBridgeAnnouncer,
} from './bridge/bridgeStatus.js';
import { createCentralCredential } from './bridge/centralCredential.js';
import { CENTRAL_REQUEST_TIMEOUT_MS, withSlash } from './bridge/centralLink.js';
import { startCentralWorker } from './bridge/centralWorker.js';
import { createDownlink, type DownlinkHealth } from './bridge/downlink.js';
import { createOutletGuard, OUTLET_MISMATCH, type OutletGuard } from './bridge/outletGuard.js';
import { createUplink, UPLOAD_PATH, type Uplink, uplinkCursorName } from './bridge/uplink.js';
import { type BridgeLock, type BridgeLockOptions, createBridgeLock } from './cluster/bridgeLock.js';
import { type ClusterNode, type ClusterOptions, createClusterNode } from './cluster/clusterNode.js';
import { createDrain, registerDrainRoute } from './cluster/drain.js';
import { createHoldTimers, type HoldTimers } from './core/holdTimers.js';
import { createKitchenCommands } from './core/kitchenCommands.js';
import { createOrderCommands } from './core/orderCommands.js';
import { createClockOffset } from './lib/clockOffset.js';
import { ConfigError } from './lib/configError.js';
import { DEFAULT_MAX_CONNECTIONS_PER_DEVICE } from './lib/deviceSlots.js';
import { createLiveFeed } from './lib/liveFeed.js';
import { createRetentionClock } from './lib/retentionClock.js';
import { createLogger, logFileHealth } from './logger.js';
import { createMetrics } from './metrics.js';
import type { EventStore, RetentionPolicy, StoredEvent } from './store/EventStore.js';
import { type LogReader, syncLogReader } from './store/LogReader.js';
import { createMemoryEventStore } from './store/memoryEventStore.js';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from './store/postgres/postgresEventStore.js';
import { createPostgresWriteQueue } from './store/postgres/postgresWriteQueue.js';
import { createSqliteEventStore } from './store/sqliteEventStore.js';
import {
  cachedDiskState,
  createStorageHealth,
  failedWriteAnswer,
  storageProblemOf,
} from './store/storageHealth.js';
import { createStorageReadiness } from './store/storageReadiness.js';
import {
  createUnreadableRowsReport,
  type UnreadableRowsReport,
  unreadableRange,
} from './store/unreadableRows.js';
import { createWriteQueue, type WriteQueue } from './store/writeQueue.js';
import {
  type PrivatePath,
  refuseAppsOverPrivatePaths,
  resolvePrivatePaths,
} from './transport/appPrivatePaths.js';
import { type AppMount, registerAppRoutes } from './transport/appRoutes.js';
import { useBodyTimeout } from './transport/bodyTimeout.js';
import { answerClientError, answerFrameworkError } from './transport/httpErrors.js';
import { registerHttpRoutes } from './transport/httpRoutes.js';
import { registerOnboardingRoutes } from './transport/onboardingRoutes.js';
import { answerPlainHttpOnTlsPort } from './transport/plainHttpOnTlsPort.js';
import { attachSocketTransport } from './transport/socketTransport.js';
import {
  createTlsHandshakeFailures,
  watchTlsHandshakes,
} from './transport/tlsHandshakeFailures.js';
import { registerTlsMetrics } from './transport/tlsMetrics.js';
import {
  createTlsController,
  type RelayTlsOptions,
  type TlsHealth,
  type TlsReloadOutcome,
} from './transport/tlsServer.js';
import { RELAY_VERSION } from './version.js';

export interface RelayOptions {
  /** TCP port; 0 picks a free one (see `listen()`'s answer). Default 3001. */
  port?: number;
  /** Interface to bind. Default `0.0.0.0` (every interface: the LAN must reach it). */
  host?: string;
  /**
   * `'sqlite'` (default, durable), `'memory'` (throwaway), `'postgres'` (shared by the nodes
   * of a cluster; needs `databaseUrl`) or your own EventStore.
   */
  store?: 'sqlite' | 'memory' | 'postgres' | EventStore;
  /** With `store: 'postgres'`: `postgres://user:password@host:5432/database`. */
  databaseUrl?: string;
  /** Directory of the SQLite log. Default `./data`. */
  dataDir?: string;
  /** HS256 secret that signs tokens. Required unless `insecureNoAuth` is true. */
  secret?: string | Uint8Array;
  /** The file `secret` was read from (the CLI's `--secret-file`): never served by an app. */
  secretFile?: string;
  /** Accept clients without a valid token. Never on a shared network. Default false. */
  insecureNoAuth?: boolean;
  /** Outlet of token-less clients with `insecureNoAuth` (else `?outlet_id=`). Default the
   * first of `outlets`, else `'1'`. */
  insecureOutlet?: string;
  /**
   * The outlets this relay serves (`--outlet`): a token of any other outlet is refused with
   * `outlet_not_served`, admin tokens included. Default: any outlet a valid token names (a food
   * court relay serves several). `1` and `"1"` are one outlet.
   */
  outlets?: Id[];
  /** Events older than this are dropped (clients behind get a snapshot). Default 24. */
  retentionHours?: number;
  /** At most this many events per outlet are kept. Default 10,000. */
  retentionEvents?: number;
  /** Largest accepted message (JSON bytes of the payload). Default 65,536. */
  maxMessageBytes?: number;
  /** Messages per second per socket connection, and HTTP requests per second per token
   * (per address without a valid token); 0 = off. Default 0. */
  rateLimit?: number;
  /** Most simultaneous socket connections, and most long polls waiting at once; 0 = no cap.
   * Default 2,000. */
  maxConnections?: number;
  /**
   * Most simultaneous socket connections of one device, and most of its long polls waiting at
   * once, so one device cannot take every slot of `maxConnections`; 0 = no cap. A device is its
   * token's `sub` within the token's outlet and tenants. Default 32 (see docs/relay.md).
   */
  maxConnectionsPerDevice?: number;
  /**
   * How long (ms) events for POS, monitor and admin screens may wait to leave together, each
   * connection's batch as one write; kitchens get every event at once. Default 20; 0 sends each
   * event to every screen at once.
   */
  watcherBatchMs?: number;
  /** Allowed browser origins (`'*'` or a list). Default `'*'`. */
  corsOrigin?: string | string[];
  /** pino level when no `logger` is given. Default `'info'`. */
  logLevel?: string;
  /** Also log to this file, rotated at 10 MB, five kept (the executable's default). */
  logFile?: string;
  logger?: Logger;
  /** HTTPS and WSS on the same port: certificate files, or an outlet CA the relay keeps. */
  tls?: RelayTlsOptions;
  /** Told after every certificate reload (file change, SIGHUP, renewal), failed ones too. */
  onTlsReload?: (outcome: TlsReloadOutcome) => void;
  /**
   * Built PWAs served from the relay's origin (`{ prefix: '/kiosk/', dir: './dist/kiosk' }`).
   * An app folder holding the data dir, the TLS dir or a private file is refused.
   */
  apps?: AppMount[];
  /** Upload the outlet's log to central (see docs/relay.md "Bridge to central"). */
  central?: CentralOptions;
  /** A request body must have fully arrived this long after its headers; 0 = no limit.
   * Default 10,000 (10 s). */
  bodyTimeoutMs?: number;
  /** Clock (ms); injected by tests. It also judges token expiry. */
  now?: () => number;
  /**
   * Monotonic clock (ms) for durations: rate limits, uptime, log throttles. An NTP step of the
   * wall clock does not move it. Default performance.now; injected by tests.
   */
  elapsed?: () => number;
  /**
   * Run as one node of a cluster sharing the store with the others (docs/scaling.md): live
   * events reach this node's clients through its sequencer, from Redis or from the store.
   */
  cluster?: ClusterOptions;
  /** A cluster node finished its drain (`POST /admin/drain` or `drain()`) and is closed. */
  onDrained?: () => void;
}

export interface CentralOptions {
  /** Central's base URL (the Django project). */
  url: string;
  /** A relay credential (role `relay`) issued by central for `outlet`. */
  token: string;
  /** Where `token` came from: read again when central refuses the credential (401/403). */
  tokenFile?: string;
  outlet: string;
  /** Back-off between failed uploads. Default 0.5 s doubling to 5 s, half of it random. */
  backoff?: { minMs: number; maxMs: number; jitter: number };
  batchSize?: number;
  /**
   * A node of a PostgreSQL cluster: how often a node not running the bridge tries to take it
   * over (docs/postgres-store.md). Default 2,000 ms.
   */
  takeoverMs?: number;
}

export interface ListenResult {
  url: string;
  port: number;
}

export interface Relay {
  listen(): Promise<ListenResult>;
  /** Stops accepting, answers pending long polls, commits queued writes, closes the store. */
  close(): Promise<void>;
  /**
   * Cluster node: /health answers 503 `draining`, new sockets are refused (`unavailable`),
   * connected clients are moved off in small groups, then the relay closes.
   */
  drain(): Promise<void>;
  readonly store: EventStore;
  /** The log as clients read it (asynchronous: the store may be on the network). */
  readonly reader: LogReader;
  readonly epoch: string;
  readonly logger: Logger;
  /** Re-reads (files) or renews if due (auto) the certificate; a failing pair keeps the old one. */
  reloadTls(): Promise<TlsReloadOutcome>;
  /** What `/health` reports about the certificate. */
  tlsHealth(): TlsHealth;
  /**
   * Fires the held lines whose `fire_at` has come (v1.1); resolves with how many orders were
   * fired. The relay does it every second by itself; tests call it after moving `now`.
   */
  fireDueHolds(): Promise<number>;
}

const HOUR_MS = 3_600_000;
const PRUNE_INTERVAL_MS = 60_000;
const HOLD_CHECK_MS = 1_000;
const CLOSE_GRACE_MS = 500;

/** The store, how clients read it, how writes reach it, and what must happen at start. */
interface StoreBackend {
  store: EventStore;
  reader: LogReader;
  open(): Promise<void>;
  createQueue(
    onCommitted: (events: StoredEvent[]) => void,
    onHookError: (error: unknown) => void,
  ): WriteQueue;
}

function postgresBackend(store: PostgresEventStore): StoreBackend {
  return {
    store,
    reader: store.reader,
    open: () => store.open(),
    createQueue: (onCommitted, onHookError) =>
      createPostgresWriteQueue(store, onCommitted, setImmediate, onHookError),
  };
}

function openStore(
  options: RelayOptions,
  logger: Logger,
  unreadableRows: UnreadableRowsReport,
): StoreBackend {
  if (typeof options.store === 'object' && options.store.kind === 'postgres') {
    // Opened by the relay's listen(), like the one it makes itself.
    return postgresBackend(options.store as PostgresEventStore);
  }
  if (options.store === 'postgres') {
    if (!options.databaseUrl) {
      throw new ConfigError('store_url_missing', "store 'postgres' needs a databaseUrl");
    }
    return postgresBackend(
      createPostgresEventStore({
        url: options.databaseUrl,
        onConnectionError: (error) => logger.warn({ err: error }, 'PostgreSQL connection lost'),
      }),
    );
  }
  const store =
    typeof options.store === 'object'
      ? options.store
      : options.store === 'memory'
        ? createMemoryEventStore()
        : createSqliteEventStore({
            dataDir: options.dataDir ?? './data',
            onWarning: (message, code) =>
              code ? logger.warn({ code }, message) : logger.warn(message),
            onUnreadableRow: (row) => unreadableRows.met(row),
          });
  return {
    store,
    reader: syncLogReader(store),
    open: async () => undefined,
    createQueue: (onCommitted, onHookError) =>
      createWriteQueue(store, onCommitted, setImmediate, onHookError),
  };
}

/** What the relay keeps for itself, as its options name it; no app may serve any of it. */
function privatePathsOf(options: RelayOptions): PrivatePath[] {
  const dataDir = options.dataDir ?? './data';
  const sqlite = options.store === undefined || options.store === 'sqlite';
  const tls = options.tls;
  const paths: PrivatePath[] = [];
  if (sqlite) paths.push({ kind: 'dir', what: 'the data dir', path: dataDir });
  if (tls && 'auto' in tls) {
    paths.push({ kind: 'dir', what: 'the TLS dir', path: tls.auto.dir ?? join(dataDir, 'tls') });
  }
  if (tls && 'keyFile' in tls) paths.push({ kind: 'file', what: 'the TLS key', path: tls.keyFile });
  if (options.secretFile) {
    paths.push({ kind: 'file', what: 'the secret file', path: options.secretFile });
  }
  if (options.central?.tokenFile) {
    paths.push({ kind: 'file', what: 'the central token file', path: options.central.tokenFile });
  }
  if (options.logFile) paths.push({ kind: 'file', what: 'the log file', path: options.logFile });
  return paths;
}

/**
 * The LAN relay: Socket.IO and HTTP on one port, a durable per-outlet log, JWT auth and
 * tenant isolation. `await createRelay({ secret }).listen()` is all an embedding needs.
 */
export function createRelay(options: RelayOptions = {}): Relay {
  const insecure = options.insecureNoAuth === true;
  if (!insecure && !options.secret) {
    throw new Error('createRelay needs a secret (or insecureNoAuth: true)');
  }
  const served = servedOutletsOf(options.outlets);
  // Refused before anything opens.
  const centralProblem = options.central && centralOutletProblem(served, options.central.outlet);
  if (centralProblem) throw new ConfigError('central_outlet_not_served', centralProblem);
  // Before the log file, the store and the certificates are made: an app folder serves all it holds.
  const privatePaths = resolvePrivatePaths(privatePathsOf(options));
  refuseAppsOverPrivatePaths(options.apps ?? [], privatePaths);
  const now = options.now ?? Date.now;
  const elapsed = options.elapsed ?? (() => performance.now());
  const logger =
    options.logger ??
    createLogger({
      level: options.logLevel ?? 'info',
      ...(options.logFile ? { file: { path: options.logFile } } : {}),
    });
  if (insecure)
    logger.warn(
      'authentication is OFF (--insecure-no-auth): anyone on the network can publish and read',
    );
  const unreadableRows = createUnreadableRowsReport(now, (row) =>
    logger.error(
      { code: 'store_corrupt', ...row },
      `${unreadableRange(row).message}; clients get the open orders from a snapshot instead. See docs/relay.md "Recovering a damaged log"`,
    ),
  );
  const backend = openStore(options, logger, unreadableRows);
  const { store, reader } = backend;
  // A shared store: the bridge's reads and cursors are the cluster's, and one node runs it.
  const shared = store.kind === 'postgres' ? (store as PostgresEventStore) : null;
  const retention: RetentionPolicy = {
    maxAgeMs: (options.retentionHours ?? 24) * HOUR_MS,
    maxEvents: options.retentionEvents ?? 10_000,
  };
  const pruneSlack = Math.max(1, Math.floor(retention.maxEvents / 100));
  const maxMessageBytes = options.maxMessageBytes ?? 65_536;
  const rateLimit = options.rateLimit ?? 0;
  const maxConnections = options.maxConnections ?? 2_000;
  const maxConnectionsPerDevice =
    options.maxConnectionsPerDevice ?? DEFAULT_MAX_CONNECTIONS_PER_DEVICE;
  const corsOrigin = options.corsOrigin ?? '*';
  const insecureOutlet = options.insecureOutlet ?? served?.[0] ?? '1';
  const metrics = createMetrics(reader);
  const live = createLiveFeed((error) => logger.error({ err: error }, 'live delivery failed'));
  // A shared store makes a cluster node even without Redis: other nodes commit to it too.
  const clusterOptions = options.cluster ?? (options.store === 'postgres' ? {} : undefined);
  const nodeId = clusterOptions?.nodeId ?? `${hostname()}-${process.pid}`;
  const cluster: ClusterNode | null = clusterOptions
    ? createClusterNode({
        ...clusterOptions,
        nodeId,
        log: {
          heads: (outlets) => reader.heads(outlets),
          eventsAfter: (outlet, since, limit) => reader.eventsAfter(outlet, since, limit, null),
        },
        storeKind: store.kind,
        live,
        registry: metrics.registry,
        logger,
        now,
        elapsed,
      })
    : null;
  // Events central has not confirmed are kept past retention: pruning them would lose them
  // for central for good. The log grows while central is away (see docs: Bridge to central).
  const retentionNow = (): RetentionPolicy => {
    // On a shared store the node pruning may not run the bridge: the store keeps what is
    // after the shared upload cursor itself.
    if (shared && options.central) {
      const outlet = options.central.outlet;
      return { ...retention, keepAfterCursor: { outlet, cursor: uplinkCursorName(outlet) } };
    }
    const unsent = uplink?.unsent();
    if (!unsent || unsent.count === 0) return retention;
    return {
      maxEvents: Math.max(retention.maxEvents, unsent.count),
      maxAgeMs: Math.max(retention.maxAgeMs, now() - unsent.oldestTsMs + HOUR_MS),
    };
  };
  // This node's clock, for a store of its own. A shared store (PostgreSQL) ages events by the
  // database's clock instead: one node's wrong clock must not prune the cluster's log.
  const retentionClock = createRetentionClock(now, elapsed);
  const prune = () =>
    reader.prune(retentionNow(), retentionClock()).catch((error) => {
      logger.error({ err: error }, 'retention pruning failed');
    });

  // A log on this machine's disk: an I/O error is told apart (full, read-only, failing) by
  // asking that disk.
  const dataDir = store.kind === 'sqlite' ? (options.dataDir ?? './data') : undefined;
  const disk = dataDir === undefined ? undefined : cachedDiskState(dataDir, elapsed);
  const storageProblem = (error: unknown) => storageProblemOf(error, disk);
  const storage = createStorageHealth(now, storageProblem);
  let holds: HoldTimers | undefined;
  let announcer: BridgeAnnouncer | null = null;
  // Set at listen when bridging: is the credential's outlet one this relay serves?
  let outletGuard: OutletGuard | null = null;
  const onCommitted = (events: StoredEvent[]) => {
    storage.committed();
    const outlets = new Set<string>();
    for (const event of events) {
      metrics.eventsAppended.inc({ type: event.envelope.type });
      outlets.add(event.outlet);
    }
    // A cluster node's live feed is fed by its sequencer only: one order for local and remote.
    if (cluster) cluster.committed(events);
    else live.publish(events);
    uplink?.notify();
    uplink?.sawOutlets(outlets);
    if (outletGuard) for (const outlet of outlets) outletGuard.saw(outlet);
    announcer?.changed();
    holds?.observe(events);
    // Count-based retention runs as the log grows, with slack so it is not every tick.
    // The count only: when the oldest unsent event is read is left to the prune itself.
    const maxEvents = Math.max(retention.maxEvents, uplink?.unsentCount() ?? 0);
    for (const outlet of outlets) {
      if (store.head(outlet) - store.prunedThrough(outlet) > maxEvents + pruneSlack) {
        void prune();
        break;
      }
    }
  };
  // Central's Date header and tokens' issue times tell a clock off by hours (/health `clock`).
  const clock = createClockOffset({ logger, now, elapsed });
  const onCentralDate = (date: string | null) => clock.centralDate(date);
  const credential = options.central
    ? createCentralCredential(
        options.central.token,
        options.central.tokenFile,
        options.central.outlet,
        logger,
      )
    : undefined;
  // The bridge's requests run on a worker thread when the store is a file (SQLite).
  const centralWorker =
    options.central && store.workerAccess
      ? startCentralWorker({
          access: store.workerAccess,
          outlet: options.central.outlet,
          uploadUrl: new URL(UPLOAD_PATH, withSlash(options.central.url)).href,
          token: () => credential?.token ?? '',
          timeoutMs: CENTRAL_REQUEST_TIMEOUT_MS,
          onCentralDate,
          onFailure: (error) =>
            logger.warn(
              { err: error },
              'central worker failed; the bridge runs on the main thread',
            ),
        })
      : null;
  const ownUplink: Uplink | null = options.central
    ? createUplink({
        store,
        outlet: options.central.outlet,
        centralUrl: options.central.url,
        token: options.central.token,
        ...(credential ? { credential } : {}),
        logger,
        now,
        ...(options.central.backoff ? { backoff: options.central.backoff } : {}),
        ...(options.central.batchSize ? { batchSize: options.central.batchSize } : {}),
        worker: centralWorker,
        ...(shared ? { log: shared.bridgeLog } : {}),
        onCentralDate,
        onUploaded: (count) => uploaded?.inc(count),
        onChange: () => announcer?.changed(),
      })
    : null;
  // On a cluster sharing PostgreSQL one node runs the bridge (the holder of its lock); the
  // others show what the holder last wrote of it (`mirrored`).
  let bridgeLock: BridgeLock | null = null;
  let mirrored: BridgeHealth | null = null;
  // This node's own bridge, uplink and downlink.
  const ownBridge = (): BridgeHealth => {
    const health = ownUplink!.health();
    return {
      // With a credential of another outlet the uplink has nothing to send: it says why.
      ...(outletGuard?.mismatch
        ? { ...health, state: 'error' as const, lastErrorCode: OUTLET_MISMATCH }
        : health),
      downlinkCursor: downlink?.cursor() ?? null,
      ...downlink?.health(),
    };
  };
  const bridgeView = (): BridgeHealth => {
    if (!bridgeLock) return ownBridge();
    if (bridgeLock.held) return { ...ownBridge(), role: 'holder', holder: nodeId };
    return { ...(mirrored ?? ownBridge()), role: 'standby', holder: bridgeLock.holder };
  };
  const uplink: Uplink | null = ownUplink && { ...ownUplink, health: bridgeView };
  const uploaded = uplink
    ? registerBridgeMetrics(
        metrics.registry,
        uplink,
        () => {
          const view = bridgeView();
          return view.downlinkState === null ? null : (view as DownlinkHealth);
        },
        shared ? () => bridgeLock?.held === true : undefined,
      )
    : null;
  const queue = backend.createQueue(onCommitted, (error) =>
    logger.error({ err: error }, 'after-commit delivery failed'),
  );
  // A command answered `internal` or `storage_full` (the codes the commands give a store's
  // failure): nothing was stored. The log line names the disk's part (storage_readonly, ...).
  function commandFailed(error: unknown) {
    storage.failed(error);
    const problem = storageProblem(error);
    metrics.commandFailures.inc({ code: failedWriteAnswer(problem).code });
    logger.error({ err: error, code: problem ?? 'internal' }, 'request failed');
  }
  const orderCommands = createOrderCommands({
    store,
    queue,
    maxMessageBytes,
    now,
    newId: randomUUID,
    onPublished(order, seq, startedMs) {
      metrics.publishLatency.observe(Math.max(0, now() - startedMs) / 1000);
      logger.info(
        { order_number: order.order_number, outlet: order.outlet_id, tenant: order.tenant_id, seq },
        'order published',
      );
    },
    onObsoleteAck: (orderId, kitchenId) =>
      logger.info(
        { order_id: orderId, kitchen_id: kitchenId },
        'ack for an order this relay does not have (its log was wiped?); dropped',
      ),
    onError: commandFailed,
    storageProblem,
  });
  const commands = createKitchenCommands(
    {
      store,
      queue,
      maxMessageBytes,
      now,
      newId: randomUUID,
      onError: commandFailed,
      storageProblem,
    },
    orderCommands,
  );
  holds = createHoldTimers({
    reader,
    now,
    fire: (orderId) => commands.fireDueLines(orderId),
    onError: (error) => {
      storage.failed(error);
      logger.error({ err: error }, 'firing held lines failed');
    },
  });

  const downlink = options.central
    ? createDownlink({
        store,
        commands,
        outlet: options.central.outlet,
        centralUrl: options.central.url,
        token: options.central.token,
        ...(credential ? { credential } : {}),
        logger,
        now,
        worker: centralWorker,
        ...(shared ? { log: shared.bridgeLog } : {}),
        onCentralDate,
        ...(options.central.backoff ? { backoff: options.central.backoff } : {}),
      })
    : null;

  // Told of every certificate reload: the metrics, and the embedder's `onTlsReload`.
  const tlsReloadListeners = options.onTlsReload ? [options.onTlsReload] : [];
  const tls = options.tls
    ? createTlsController({
        tls: options.tls,
        dataDir: options.dataDir ?? './data',
        logger,
        now,
        onReload: (outcome) => {
          for (const listener of tlsReloadListeners) listener(outcome);
        },
      })
    : null;
  if (tls) tlsReloadListeners.push(registerTlsMetrics(metrics.registry, tls));
  // With TLS the server starts without a certificate: listen() installs it before accepting.
  const app = Fastify({
    // The limit is on the message (its JSON size, checked by the commands, as over the socket);
    // the raw body may be up to 6 times that: pretty-printed, or with every character written
    // as a \uXXXX escape (Python's json.dumps does so for non-ASCII).
    bodyLimit: maxMessageBytes * 6 + 1024,
    logger: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    ...(tls ? { https: {} } : {}),
  }) as unknown as FastifyInstance;
  if (tls) answerPlainHttpOnTlsPort(app.server as unknown as TlsServer);
  // A tablet without the outlet CA refuses the certificate: seen here only, so said here.
  const tlsFailures = tls
    ? createTlsHandshakeFailures({
        logger,
        registry: metrics.registry,
        now,
        elapsed,
        listsName: (name) => tls.listsName(name),
      })
    : null;
  if (tlsFailures) watchTlsHandshakes(app.server as unknown as TlsServer, tlsFailures);
  useBodyTimeout(app, options.bodyTimeoutMs ?? 10_000);
  const verify = servedOnly(
    createTokenVerifier(insecure ? null : options.secret!, {
      now,
      // Warned once an hour at most (clockOffset.ts): every device's every request says it again.
      onClockBehind: (seconds) => clock.tokenAhead(seconds),
    }),
    served,
  );
  const refusedDevices = createRefusedDevices({
    logger,
    now,
    elapsed,
    count: (reason) => metrics.tokenRefusals.inc({ reason }),
  });
  const onTokenRefused = refusedDevices.refused;
  // Which device is at its cap is what the operator needs; the metric shows how often.
  const deviceCapRefused = (transport: 'socket' | 'poll') => (principal: Principal) => {
    metrics.deviceCapRefusals.inc({ transport });
    logger.warn(
      {
        sub: principal.sub,
        role: principal.role,
        outlet: principal.outlet,
        tenants: principal.tenants,
        transport,
      },
      'device refused: at its per-device cap (--max-connections-per-device)',
    );
  };
  const sockets = attachSocketTransport({
    httpServer: app.server,
    reader,
    commands,
    verify,
    live,
    logger,
    now,
    elapsed,
    newId: randomUUID,
    rateLimit,
    maxConnections,
    maxConnectionsPerDevice,
    ...(options.watcherBatchMs !== undefined ? { watcherBatchMs: options.watcherBatchMs } : {}),
    onDeviceCapRefused: deviceCapRefused('socket'),
    onTokenRefused,
    corsOrigin,
    insecureOutlet,
    onConnectionsChanged: (role, delta) => metrics.connections.inc({ role }, delta),
    ...(cluster
      ? {
          liveThrough: cluster.deliveredThrough,
          refuseNew: () => drain.draining,
        }
      : {}),
    ...(uplink && options.central
      ? {
          bridge: {
            outlet: options.central.outlet,
            status: () => bridgeStatusOf(uplink.health()),
            sawDevice: (outlet: string) => outletGuard?.saw(outlet),
          },
        }
      : {}),
  });
  announcer = uplink
    ? createBridgeAnnouncer({
        status: () => bridgeStatusOf(uplink.health()),
        send: (message) => sockets.announceBridge(message),
        // A throttle: on the wall clock a step back held the next announcement for the step.
        now: elapsed,
        timers: {
          setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
          clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
        },
      })
    : null;
  for (const role of ['pos', 'kitchen', 'monitor', 'board', 'admin'])
    metrics.connections.set({ role }, 0);
  const startedMs = elapsed();
  const routes = registerHttpRoutes(app, {
    reader,
    storeKind: store.kind,
    storeEngine: store.engine ?? (store.kind === 'memory' ? 'memory' : undefined),
    commands,
    verify,
    live,
    logger,
    insecureOutlet,
    startedMs,
    now,
    elapsed,
    version: RELAY_VERSION,
    rateLimit,
    maxWaiters: maxConnections,
    maxWaitersPerDevice: maxConnectionsPerDevice,
    onDeviceCapRefused: deviceCapRefused('poll'),
    onTokenRefused,
    refusedDevices: () => refusedDevices.recent(),
    clock: () => clock.health(),
    bindHost: options.host ?? '0.0.0.0',
    ...(served ? { servedOutlets: served } : {}),
    ...(tlsFailures ? { tlsFailures: () => tlsFailures.recent() } : {}),
    // A polling screen of the credential's outlet lets the downlink start, as a socket does.
    onDeviceSeen: (outlet) => outletGuard?.saw(outlet),
    clients: () => sockets.clients(),
    storage: () => storage.status(),
    unreadableRows: () => unreadableRows.health(),
    logFile: () => logFileHealth(logger),
    canStore: createStorageReadiness({
      storage: () => storage.status(),
      ...(reader.probeWrite ? { probeWrite: () => reader.probeWrite!() } : {}),
      // Monotonic: a clock stepped back would keep a failed probe's answer for the step.
      elapsed,
    }),
    tlsHealth: () => tls?.health() ?? { enabled: false },
    ...(uplink
      ? {
          bridgeHealth: bridgeView,
        }
      : {}),
    ...(cluster
      ? { cluster: () => cluster.health(drain.draining), draining: () => drain.draining }
      : {}),
    metrics: async () => ({
      contentType: metrics.registry.contentType,
      body: await metrics.registry.metrics(),
    }),
  });
  const appPrefixes = registerAppRoutes(app, options.apps ?? [], privatePaths);
  registerOnboardingRoutes(app, {
    tls: tls !== null,
    caCertificate: () => tls?.caCertificate() ?? null,
    appPrefixes,
    fallbackHost: () => listenedHost,
  });
  app.register(cors, { origin: corsOrigin });

  // Every TCP connection, upgraded WebSockets included, so close() can end the stragglers.
  const connections = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });

  let listenedHost = 'localhost';
  let pruneTimer: NodeJS.Timeout | undefined;
  let holdTimer: NodeJS.Timeout | undefined;
  const fireDueHolds = () => holds!.fireDue();
  let closing: Promise<void> | undefined;
  // The holder's last bridge health written for the other nodes (written again when changed).
  let lastWritten: string | undefined;
  const drain = createDrain({
    ...(clusterOptions?.drainStepMs !== undefined ? { stepMs: clusterOptions.drainStepMs } : {}),
    sockets: () => sockets.io.of('/').sockets.values(),
    settle: async () => {
      await queue.flush();
      await new Promise((resolve) => setImmediate(resolve));
    },
    close: async () => {
      await relayClose();
      options.onDrained?.();
    },
  });
  if (cluster) registerDrainRoute(app, verify, () => drain.run());

  return {
    store,
    reader,
    get epoch() {
      return store.epoch;
    },
    logger,
    reloadTls: () =>
      tls
        ? tls.reload()
        : Promise.resolve({
            ok: false,
            code: 'tls_disabled',
            message: 'this relay runs without TLS',
          }),
    tlsHealth: () => tls?.health() ?? { enabled: false },
    fireDueHolds,
    drain: () => drain.run(),
    async listen() {
      // Bad certificate input fails here, before anything listens: never plain HTTP instead.
      await tls?.start(app.server as unknown as TlsServer);
      await backend.open();
      await holds!.load();
      await prune();
      pruneTimer = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      if (options.central) {
        // The downlink waits until the credential's outlet shows up here: a credential of
        // another outlet would pull that outlet's history into this log.
        outletGuard = createOutletGuard({
          outlet: options.central.outlet,
          // With --outlet the credential's outlet is served from the start (checked above).
          logged: served ?? (await reader.outlets()),
          logger,
          onConfirmed: () => {
            if (closing === undefined && runsBridge()) downlink?.start();
          },
        });
        if (shared) {
          bridgeLock = createBridgeLock({
            url: shared.internals.url,
            outlet: options.central.outlet,
            nodeId,
            retryMs: options.central.takeoverMs ?? 2_000,
            logger,
            onTaken: () => {
              if (closing !== undefined) return;
              uplink?.start();
              if (outletGuard?.confirmed) downlink?.start();
              announcer?.changed();
            },
            onLost: () => {
              uplink?.stop();
              downlink?.stop();
              announcer?.changed();
            },
            onLook: lookAtSharedBridge,
          });
          bridgeLock.start();
          // Other nodes' commits reach this one live: the holder uploads them without waiting
          // for its idle look.
          live.subscribe(() => uplink?.notify());
        } else {
          uplink?.start();
          if (outletGuard.confirmed) downlink?.start();
        }
      }
      holdTimer = setInterval(() => void fireDueHolds(), HOLD_CHECK_MS);
      holdTimer.unref();
      if (cluster) {
        await cluster.attach(sockets.io);
        await cluster.start();
        // The bridged outlet is followed even with no client here: other nodes' commits then
        // reach the live feed, which tells the uplink (above) when this node runs the bridge.
        if (bridgeLock && options.central) {
          cluster.deliveredThrough(options.central.outlet, 0).catch(() => undefined);
        }
      }
      const host = options.host ?? '0.0.0.0';
      await app.listen({ port: options.port ?? 3001, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : (options.port ?? 3001);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      listenedHost = `${shownHost}:${port}`;
      const scheme = tls ? 'https' : 'http';
      logger.info(
        {
          port,
          host,
          store: store.engine ?? store.kind,
          epoch: store.epoch,
          tls: tls?.source ?? false,
        },
        'relay listening',
      );
      return { url: `${scheme}://${shownHost}:${port}`, port };
    },
    close: () => relayClose(),
  };

  /** Whether this node runs the bridge: always, unless a cluster's lock decides. */
  function runsBridge(): boolean {
    return bridgeLock === null || bridgeLock.held;
  }

  /**
   * Every few seconds on the bridge lock's session: the holder writes its bridge's health for
   * the other nodes (and looks for the credential's outlet in the shared log, which other
   * nodes may have logged); a standby reads it.
   */
  async function lookAtSharedBridge({
    held,
    query,
  }: Parameters<NonNullable<BridgeLockOptions['onLook']>>[0]) {
    const key = `bridge-status:${options.central!.outlet}`;
    if (held) {
      if (outletGuard && !outletGuard.confirmed) {
        for (const outlet of await reader.outlets()) outletGuard.saw(outlet);
      }
      const text = JSON.stringify(ownBridge());
      if (text === lastWritten) return;
      await query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, text],
      );
      lastWritten = text;
      return;
    }
    lastWritten = undefined;
    const { rows } = await query('SELECT value FROM meta WHERE key = $1', [key]);
    const value = (rows[0] as { value?: string } | undefined)?.value;
    try {
      mirrored = value === undefined ? null : (JSON.parse(value) as BridgeHealth);
    } catch {
      mirrored = null;
    }
    announcer?.changed();
  }

  function relayClose(): Promise<void> {
    closing ??= (async () => {
      if (pruneTimer) clearInterval(pruneTimer);
      uplink?.stop();
      announcer?.stop();
      downlink?.stop();
      // Ends the lock's session: another node takes the bridge over at its next try.
      await bridgeLock?.close();
      // Before the store closes: its final checkpoint wants the worker's connection gone.
      centralWorker?.stop();
      if (holdTimer) clearInterval(holdTimer);
      tls?.close();
      routes.wakeAll();
      // Commit what is queued and let its acks go out before the sockets are cut.
      await queue.flush();
      await new Promise((resolve) => setImmediate(resolve));
      await sockets.close();
      // Peers that never answer the WebSocket close handshake must not hold shutdown.
      const force = setTimeout(() => {
        for (const socket of connections) socket.destroy();
      }, CLOSE_GRACE_MS);
      await app.close();
      clearTimeout(force);
      await queue.flush();
      await cluster?.close();
      await store.close();
      logger.info('relay closed');
    })();
    return closing;
  }
}
