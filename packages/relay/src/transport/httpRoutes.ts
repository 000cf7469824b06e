import {
  boardOrder,
  type ClusterHealth,
  type ConnectedClient,
  type ErrorCode,
  EventsQuerySchema,
  type EventsResponse,
  type HealthResponse,
  HTTP_STATUS_BY_CODE,
  HttpEventRequestSchema,
  idKey,
  KitchenSyncError,
  LIMITS,
  type Order,
  OrdersQuerySchema,
  SOCKET_EVENTS,
  type StorageHealth,
  validate,
} from '@kitchen-sync/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { deviceKey } from '../auth/deviceKey.js';
import { envelopeFor, ordersFor, seesGuestData } from '../auth/guestData.js';
import { mayDo } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { DeviceRefusal } from '../auth/refusedDevices.js';
import { refusalHintOf, refusalReasonOf, type TokenVerifier } from '../auth/tokens.js';
import { planCatchUp } from '../core/catchUp.js';
import { eventIdAtCursor } from '../core/eventIdAtCursor.js';
import { reportLogWentBack } from '../core/logWentBack.js';
import type { CommandResult, OrderCommands } from '../core/orderCommands.js';
import { createDeviceSlots } from '../lib/deviceSlots.js';
import type { LiveFeed } from '../lib/liveFeed.js';
import { createKeyedRateLimiter } from '../lib/rateLimiter.js';
import type { StoredEvent } from '../store/EventStore.js';
import type { LogReader } from '../store/LogReader.js';
import { isUnreadableRange } from '../store/unreadableRows.js';
import { legacyOrdersAfter } from './legacyOrders.js';

export interface HttpRoutesOptions {
  reader: LogReader;
  /** What `/health` calls the store, and its library. */
  storeKind: HealthResponse['store'];
  storeEngine: HealthResponse['store_engine'];
  commands: OrderCommands;
  verify: TokenVerifier;
  live: LiveFeed;
  /** Fastify runs without its own logger (a line per request is too much); failures go here. */
  logger: Logger;
  insecureOutlet: string;
  /** When the relay started, on the `elapsed` clock. */
  startedMs: number;
  now: () => number;
  /** Monotonic clock (ms) for durations (rate limit, uptime): NTP steps do not move it. */
  elapsed: () => number;
  version: string;
  /** Requests per second per token (per address without a valid one); 0 = off. */
  rateLimit: number;
  /** Most long polls waiting at once (each holds a connection and a listener); 0 = no cap. */
  maxWaiters: number;
  /** Most long polls of one device (`deviceKey`) waiting at once; 0 = no cap. */
  maxWaitersPerDevice: number;
  /** A device's long poll was refused for holding `maxWaitersPerDevice` already. */
  onDeviceCapRefused?: (principal: Principal) => void;
  /** A request's token was refused. */
  onTokenRefused?: (refusal: DeviceRefusal) => void;
  /** Failed TLS handshakes of the last minutes (`/health` `tls_failures`). */
  tlsFailures?: () => HealthResponse['tls_failures'];
  /** The address the relay listens on (`--host`; `/health` `host`). */
  bindHost?: string;
  /** The outlets `--outlet` lists (`/health` `served_outlets`); absent: any outlet. */
  servedOutlets?: readonly string[];
  /** How far this machine's clock is off, once known (`/health` `clock`). */
  clock?: () => HealthResponse['clock'];
  /** Devices refused lately (`/health` `refused_devices`). */
  refusedDevices?: () => HealthResponse['refused_devices'];
  /** A device of `outlet` made a request with a valid token: this relay serves that outlet. */
  onDeviceSeen?: (outlet: string) => void;
  clients: () => ConnectedClient[];
  /** Whether the last write reached the log. */
  storage: () => StorageHealth;
  /** Rows the store could not read (`/health` shows them while there are any). */
  unreadableRows?: () => HealthResponse['unreadable_rows'];
  /** Whether the log file takes lines; undefined without one. */
  logFile?: () => HealthResponse['log'];
  /** Whether this node can store writes now (storageReadiness.ts); false turns /health into a 503. */
  canStore: () => Promise<boolean>;
  tlsHealth?: () => HealthResponse['tls'];
  bridgeHealth?: () => HealthResponse['bridge'];
  /** A cluster node's part in /health; `draining` turns /health into a 503. */
  cluster?: () => ClusterHealth;
  draining?: () => boolean;
  metrics: () => Promise<{ contentType: string; body: string }>;
}

export interface HttpRoutes {
  /** Answers every pending long poll now, and any later one at once (shutdown). */
  wakeAll(): void;
}

class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Beside `code`: why, where the fix differs (a token refused: `token_expired`, …). */
    readonly reason?: string,
    /** More beside `reason` (`outlet_not_served`: the token's `outlet`). */
    readonly hint: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  reason?: string,
  hint: Record<string, string> = {},
) {
  return reply
    .code(HTTP_STATUS_BY_CODE[code])
    .send({ error: { code, message, ...(reason ? { reason } : {}), ...hint } });
}

function sendResult(reply: FastifyReply, result: CommandResult) {
  if (result.ok) return reply.send(result);
  return reply.code(HTTP_STATUS_BY_CODE[result.error.code]).send({ error: result.error });
}

/** Whether a client of `theirs` tenants sees orders of one of `mine` (`null` = every tenant). */
function sharesTenant(mine: string[] | null, theirs: string[] | null): boolean {
  if (mine === null || theirs === null) return true;
  return theirs.some((tenant) => mine.includes(tenant));
}

export function registerHttpRoutes(app: FastifyInstance, options: HttpRoutesOptions): HttpRoutes {
  const { reader, commands, live } = options;
  const waiters = new Set<() => void>();
  const waitersPerDevice = createDeviceSlots(options.maxWaitersPerDevice);
  let closing = false;

  // Verified once per request: the rate limit and the route both need the answer.
  const verified = new WeakMap<FastifyRequest, Promise<Principal | null>>();
  const bearer = (request: FastifyRequest) =>
    /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  function verifiedPrincipal(request: FastifyRequest): Promise<Principal | null> {
    let principal = verified.get(request);
    if (!principal) {
      principal = options.verify(bearer(request));
      // Read later (or never, on /health); an unobserved refusal must not be "unhandled".
      principal.then((seen) => seen && options.onDeviceSeen?.(seen.outlet)).catch(() => undefined);
      verified.set(request, principal);
    }
    return principal;
  }

  async function principalOf(request: FastifyRequest): Promise<Principal | null> {
    try {
      return await verifiedPrincipal(request);
    } catch (error) {
      // The verifier's reason (expired, a relay clock behind the issuer's) tells the operator
      // what to fix; it says nothing about the secret.
      const reason = error instanceof KitchenSyncError ? `: ${error.message}` : '';
      const claimed = (error as KitchenSyncError).details?.claimedSub;
      const refusal = refusalReasonOf(error);
      options.onTokenRefused?.({
        reason: refusal,
        message: error instanceof KitchenSyncError ? error.message : 'token refused',
        clientId: typeof claimed === 'string' ? claimed : undefined,
        address: request.ip,
        transport: 'http',
      });
      throw new HttpError(
        'unauthorized',
        `a valid bearer token is required${reason}`,
        refusal,
        refusalHintOf(error),
      );
    }
  }

  const allow = createKeyedRateLimiter(options.rateLimit, options.elapsed);
  if (options.rateLimit > 0) {
    // preParsing: after the CORS headers are set (onRequest), before a body is read.
    app.addHook('preParsing', async (request, _reply, payload) => {
      // Terminals probe /health (often many behind one address) to tell whether the relay is
      // up at all: a 429 there would read as "relay down".
      if (request.routeOptions.url === '/health') return payload;
      // App files and onboarding: a tablet loading a PWA fetches dozens of files at once.
      if ((request.routeOptions.config as { rateLimit?: boolean }).rateLimit === false) {
        return payload;
      }
      // A made-up token must not buy a fresh allowance: only a valid one is its own key.
      const key = await verifiedPrincipal(request).then(
        (principal) => (principal ? `token:${bearer(request)}` : `ip:${request.ip}`),
        () => `ip:${request.ip}`,
      );
      if (!allow(key)) throw new HttpError('rate_limited', 'too many requests, slow down');
      return payload;
    });
  }

  /** The outlet a read is about: the token's; a different `outlet_id` is forbidden. */
  function readOutlet(principal: Principal | null, asked: string | number | undefined): string {
    if (!mayDo(principal, 'read')) throw new HttpError('forbidden', 'your role cannot read');
    if (principal === null) return asked === undefined ? options.insecureOutlet : idKey(asked);
    if (asked !== undefined && idKey(asked) !== principal.outlet) {
      throw new HttpError('forbidden', 'this outlet is outside your token');
    }
    return principal.outlet;
  }

  const matches = (e: StoredEvent, outlet: string, tenants: string[] | null, since: number) =>
    e.outlet === outlet &&
    e.envelope.seq > since &&
    (tenants === null || tenants.includes(e.tenant));

  function waitForEvent(
    reply: FastifyReply,
    outlet: string,
    tenants: string[] | null,
    since: number,
    ms: number,
  ) {
    return new Promise<void>((resolve) => {
      if (closing) {
        resolve();
        return;
      }
      const done = () => {
        waiters.delete(done);
        off();
        clearTimeout(timer);
        reply.raw.off('close', done);
        resolve();
      };
      const off = live.subscribe((events: StoredEvent[]) => {
        if (events.some((e) => matches(e, outlet, tenants, since))) done();
      });
      const timer = setTimeout(done, ms);
      waiters.add(done);
      reply.raw.on('close', done);
    });
  }

  /** The device's long-poll slot, or `rate_limited` when it holds `maxWaitersPerDevice`. */
  function takeWaiterSlot(principal: Principal | null): () => void {
    // A token-less poll (`--insecure-no-auth`) names no device: only the global cap holds it.
    if (principal === null) return () => undefined;
    const slot = waitersPerDevice.take(deviceKey(principal));
    if (slot) return slot;
    options.onDeviceCapRefused?.(principal);
    throw new HttpError(
      'rate_limited',
      `this device already has ${options.maxWaitersPerDevice} long polls waiting, the per-device cap (--max-connections-per-device); poll again once one has answered`,
    );
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) {
      return sendError(reply, error.code, error.message, error.reason, error.hint);
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return sendError(reply, 'too_large', 'request body is too large');
    if (status === 408) return sendError(reply, 'request_timeout', error.message);
    if (status === 429) return sendError(reply, 'rate_limited', 'too many requests');
    if (status >= 400 && status < 500) return sendError(reply, 'invalid_payload', error.message);
    options.logger.error(
      { err: error, method: request.method, url: request.url },
      'request failed',
    );
    return sendError(reply, 'internal', 'internal error');
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'no such route'));

  const unreadable = () => {
    const rows = options.unreadableRows?.();
    return rows ? { unreadable_rows: rows } : {};
  };
  const logField = (log: HealthResponse['log']) => (log ? { log } : {});
  // A kitchen with another outlet's token: connected, "Live", and never an order.
  async function outletsWithoutOrders(
    connected: ConnectedClient[],
  ): Promise<Pick<HealthResponse, 'outlets_without_orders'>> {
    if (connected.length === 0) return {};
    const logged = await reader.outlets().catch(() => undefined);
    if (!logged || logged.length === 0) return {};
    const stray = new Map<string, Partial<Record<ConnectedClient['role'], number>>>();
    for (const c of connected) {
      // A food court's outlet that has no order yet is no stray: --outlet says it is served.
      if (logged.includes(c.outlet) || options.servedOutlets?.includes(c.outlet)) continue;
      const clients = stray.get(c.outlet) ?? {};
      clients[c.role] = (clients[c.role] ?? 0) + 1;
      stray.set(c.outlet, clients);
    }
    if (stray.size === 0) return {};
    return {
      outlets_without_orders: {
        logged,
        connected: [...stray].map(([outlet, clients]) => ({ outlet, clients })),
      },
    };
  }
  const tlsFailuresField = () => {
    const failures = options.tlsFailures?.();
    return failures && failures.length > 0 ? { tls_failures: failures } : {};
  };
  const clockField = () => {
    const clock = options.clock?.();
    return clock ? { clock } : {};
  };
  const refusedField = () => {
    const refused = options.refusedDevices?.();
    return refused && refused.length > 0 ? { refused_devices: refused } : {};
  };

  app.get('/health', async (_request, reply): Promise<HealthResponse> => {
    const draining = options.draining?.() ?? false;
    // A balancer's health check must see the drain to stop routing new clients here.
    if (draining) reply.code(503);
    const clients = { pos: 0, kitchen: 0, monitor: 0, board: 0 };
    const connected = options.clients();
    for (const c of connected) if (c.role !== 'admin') clients[c.role] += 1;
    // A store on the network may be down: /health still answers, and says so.
    let headSeq = 0;
    let reachable = true;
    const [, canStore, stray] = await Promise.all([
      reader.maxHead().then(
        (head) => {
          headSeq = head;
        },
        () => {
          reachable = false;
        },
      ),
      options.canStore(),
      outletsWithoutOrders(connected),
    ]);
    // A node that cannot store orders must leave the balancer like a draining one.
    const status = draining ? 'draining' : reachable && canStore ? 'ok' : 'cannot_store';
    if (status === 'cannot_store') reply.code(503);
    return {
      status,
      uptime: Math.round((options.elapsed() - options.startedMs) / 1000),
      connections: connected.length,
      clients,
      head_seq: headSeq,
      store: options.storeKind,
      ...(options.storeEngine ? { store_engine: options.storeEngine } : {}),
      ...(options.storeKind === 'postgres' ? { store_reachable: reachable } : {}),
      storage: options.storage(),
      ...unreadable(),
      ...logField(options.logFile?.()),
      ...refusedField(),
      ...stray,
      ...(options.servedOutlets ? { served_outlets: [...options.servedOutlets] } : {}),
      ...(options.bindHost ? { host: options.bindHost } : {}),
      ...clockField(),
      version: options.version,
      timestamp: new Date(options.now()).toISOString(),
      ...(options.tlsHealth ? { tls: options.tlsHealth() } : {}),
      ...tlsFailuresField(),
      ...(options.bridgeHealth ? { bridge: options.bridgeHealth() } : {}),
      ...(options.cluster ? { cluster: options.cluster() } : {}),
    };
  });

  app.get('/api/events', async (request, reply): Promise<EventsResponse> => {
    const principal = await principalOf(request);
    const query = validate(EventsQuerySchema, request.query);
    if (!query.ok) throw new HttpError('invalid_payload', query.error.message);
    const outlet = readOutlet(principal, query.value.outlet_id);
    const tenants = principal?.tenants ?? null;
    const limit = query.value.limit ?? LIMITS.EVENTS_PAGE_DEFAULT;
    const since = query.value.since ?? 0;
    const read = async (): Promise<EventsResponse> => {
      const plan = await planCatchUp(reader, outlet, since, query.value.epoch, {
        snapshotWhenNoCursor: false,
        sinceEvent: query.value.since_event,
        onLogWentBack: (found) => reportLogWentBack(options.logger, found),
        device: principal?.sub,
      });
      const answerSnapshot = async (): Promise<EventsResponse> => {
        const view = await reader.snapshot(outlet, tenants);
        const orders = ordersFor(principal, view.orders);
        const headId = await eventIdAtCursor(reader, outlet, view.head);
        const id = headId !== undefined ? { event_id: headId } : {};
        const snapshot = { orders, seq: view.head, epoch: reader.epoch, ...id };
        const last = headId !== undefined ? { last_event_id: headId } : {};
        return { events: [], last_seq: view.head, ...last, epoch: reader.epoch, snapshot };
      };
      if (plan.snapshot) return answerSnapshot();
      let page: StoredEvent[];
      try {
        page = await reader.eventsAfter(outlet, since, limit, tenants);
      } catch (error) {
        // An event that cannot be read (damaged on disk): the open orders from their own
        // rows, as a socket's catch-up gets them, instead of a 500 on every poll.
        if (isUnreadableRange(error)) return answerSnapshot();
        throw error;
      }
      const events = page.map((e) => envelopeFor(principal, e.envelope));
      // A short page reached the head; a full one resumes after its last event.
      const last_seq = events.length === limit ? events[events.length - 1]!.seq! : plan.head;
      // The client may not have been sent the event at last_seq (another tenant's): its id.
      const lastId = await eventIdAtCursor(reader, outlet, last_seq);
      const last = lastId !== undefined ? { last_event_id: lastId } : {};
      return { events, last_seq, ...last, epoch: reader.epoch };
    };
    const wait = query.value.wait ?? 0;
    if (wait === 0) return read();
    // Listening from before the read: a commit that lands while the read is in flight must
    // not leave this poll waiting for the next one.
    const during: StoredEvent[] = [];
    const stopListening = live.subscribe((events: StoredEvent[]) => void during.push(...events));
    let first: EventsResponse;
    try {
      first = await read();
    } finally {
      stopListening();
    }
    if (first.events.length > 0 || first.snapshot) return first;
    if (during.some((e) => matches(e, outlet, tenants, first.last_seq))) return read();
    if (options.maxWaiters > 0 && waiters.size >= options.maxWaiters) {
      throw new HttpError('rate_limited', 'too many long polls are waiting; poll again later');
    }
    const releaseSlot = takeWaiterSlot(principal);
    try {
      await waitForEvent(reply, outlet, tenants, first.last_seq, wait);
    } finally {
      releaseSlot();
    }
    return read();
  });

  app.post('/api/events', async (request, reply) => {
    const principal = await principalOf(request);
    const body = validate(HttpEventRequestSchema, request.body);
    if (!body.ok) return reply.code(400).send({ error: body.error });
    return sendResult(reply, await commands.handle(principal, body.value.type, body.value.payload));
  });

  app.get('/api/orders', async (request) => {
    const principal = await principalOf(request);
    const query = validate(OrdersQuerySchema, request.query);
    if (!query.ok) throw new HttpError('invalid_payload', query.error.message);
    const outlet = readOutlet(principal, query.value.outlet_id);
    const tenants = principal?.tenants ?? null;
    const orders = await legacyOrdersAfter(reader, outlet, query.value.since_id ?? 0, tenants);
    if (seesGuestData(principal)) return orders;
    return orders.map(({ id, timestamp, ...order }) => ({ ...boardOrder(order), id, timestamp }));
  });

  app.post('/emit', async (request, reply) => {
    const principal = await principalOf(request);
    return sendResult(
      reply,
      await commands.handle(principal, SOCKET_EVENTS.PUBLISH, request.body as Order),
    );
  });

  app.get('/clients', async (request) => {
    const principal = await principalOf(request);
    if (!mayDo(principal, 'admin')) throw new HttpError('forbidden', 'admin only');
    // An admin token is for one outlet, like every token: other outlets' clients stay hidden.
    // An admin limited to tenants sees the clients that can see one of its tenants' orders:
    // those sharing a tenant, and those of every tenant (`tenants: null`), which read its
    // orders too; another brand's own devices stay hidden.
    const all = options.clients();
    const clients = all.filter(
      (c) =>
        principal === null ||
        (c.outlet === principal.outlet && sharesTenant(principal.tenants, c.tenants)),
    );
    // An admin of the whole outlet also sees devices signed in for other outlets, apart: a
    // kitchen given another outlet's token is found there (its `outlet` says which).
    if (principal === null || principal.tenants !== null) return { total: clients.length, clients };
    const otherOutlets = all.filter((c) => c.outlet !== principal.outlet);
    return { total: clients.length, clients, other_outlets: otherOutlets };
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await options.metrics();
    return reply.type(contentType).send(body);
  });

  return {
    wakeAll() {
      closing = true;
      for (const wake of [...waiters]) wake();
    },
  };
}
