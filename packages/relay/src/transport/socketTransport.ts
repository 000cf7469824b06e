import type { Server as HttpServer } from 'node:http';
import {
  type BridgeStatusMessage,
  boardEnvelope,
  type CaughtUpMessage,
  type ConnectedClient,
  type ErrorCode,
  EVENT_TYPES,
  type EventEnvelope,
  HandshakeAuthSchema,
  type KitchenStatusData,
  KitchenSyncError,
  LIMITS,
  REQUEST_TYPES,
  type RequestType,
  type SnapshotMessage,
  SOCKET_EVENTS,
  validate,
} from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { deviceKey } from '../auth/deviceKey.js';
import { envelopeFor, ordersFor } from '../auth/guestData.js';
import type { Principal } from '../auth/principal.js';
import type { DeviceRefusal } from '../auth/refusedDevices.js';
import { tokenTime } from '../auth/tokenExpiry.js';
import { refusalHintOf, refusalReasonOf, type TokenVerifier } from '../auth/tokens.js';
import { planCatchUp } from '../core/catchUp.js';
import { eventIdAtCursor } from '../core/eventIdAtCursor.js';
import { reportLogWentBack } from '../core/logWentBack.js';
import type { OrderCommands } from '../core/orderCommands.js';
import { createDeviceSlots } from '../lib/deviceSlots.js';
import { failure } from '../lib/failure.js';
import type { LiveFeed } from '../lib/liveFeed.js';
import { createRateLimiter } from '../lib/rateLimiter.js';
import type { StoredEvent } from '../store/EventStore.js';
import type { LogReader } from '../store/LogReader.js';
import { isUnreadableRange } from '../store/unreadableRows.js';
import { withCorkedWebSockets } from './corkedBroadcasts.js';
import { useEagerWebSocketWrites } from './eagerWebSocketWrites.js';
import {
  boardRooms,
  bridgeRoom,
  kitchenEventRooms,
  liveEventRooms,
  presenceRoomsOf,
  presenceTargets,
  roomsOf,
} from './rooms.js';
import { useSingleWriteFrames } from './singleWriteFrames.js';
import { createWatcherBroadcasts, DEFAULT_WATCHER_BATCH_MS } from './watcherBroadcasts.js';

export interface SocketTransportOptions {
  httpServer: HttpServer;
  reader: LogReader;
  commands: OrderCommands;
  verify: TokenVerifier;
  live: LiveFeed;
  logger: Logger;
  now: () => number;
  /** Monotonic clock (ms) for the rate limit: NTP steps do not move it. Default performance.now. */
  elapsed?: () => number;
  newId: () => string;
  rateLimit: number;
  maxConnections: number;
  /** Most simultaneous connections of one device (`deviceKey`); 0 = no cap. */
  maxConnectionsPerDevice: number;
  /** A device was refused for holding `maxConnectionsPerDevice` already. */
  onDeviceCapRefused?: (principal: Principal) => void;
  /** A device's token was refused at the handshake. */
  onTokenRefused?: (refusal: DeviceRefusal) => void;
  /**
   * Live events one replaying connection may hold back; past it the connection is dropped
   * (it resumes from its cursor). Default 10,000: a client that slow would fall behind anyway.
   */
  maxReplayBuffer?: number;
  /**
   * How long events for POS, monitor and admin screens may wait to leave together (one write
   * per connection per batch; kitchens never wait). Default 20 ms; 0 sends each at once.
   */
  watcherBatchMs?: number;
  /** How often connections whose token expired past the grace are looked for. Default 10 s. */
  expirySweepMs?: number;
  corsOrigin: string | string[];
  /** Outlet of token-less clients under `--insecure-no-auth` (else `?outlet_id=`). */
  insecureOutlet: string;
  onConnectionsChanged: (role: string, delta: number) => void;
  /**
   * Cluster node: resolves once this node's live feed delivered the outlet through `seq`, so a
   * replay that read the shared store up to `seq` joins the live rooms with nothing missed.
   */
  liveThrough?: (outlet: string, seq: number) => Promise<void>;
  /** Refuses new connections (a draining cluster node): code `unavailable`. */
  refuseNew?: () => boolean;
  /** The uplink's outlet and status: its clients get `sync:bridge` at connect. */
  bridge?: {
    outlet: string;
    status: () => BridgeStatusMessage;
    /** A device of `outlet` signed in: this relay serves that outlet. */
    sawDevice?: (outlet: string) => void;
  };
}

export interface SocketTransport {
  io: Server;
  clients(): ConnectedClient[];
  /** Sends `sync:bridge` to every client of the uplink's outlet. */
  announceBridge(message: BridgeStatusMessage): void;
  close(): Promise<void>;
}

interface ClientState {
  principal: Principal;
  clientId: string;
  connectedAt: string;
  allow: () => boolean;
  /** The epoch its catch-up was planned under (unset until then). */
  epoch?: string;
}

/** A connection that is still replaying: live events wait in `buffer` until it caught up. */
interface Replaying {
  socket: Socket;
  outlet: string;
  tenants: string[] | null;
  buffer: EventEnvelope[];
}

const BACKLOG_PAGE = 500;

/** socket.io-client shows `message` in `connect_error`; `data.code` is there for code too. */
const refuse = (code: ErrorCode, hint: Record<string, unknown> = {}) =>
  Object.assign(new Error(code), { data: { code, ...hint } });
const REQUESTS = new Set<string>(REQUEST_TYPES);

/** Packets engine.io holds for a client until its transport can take them (typed private). */
const queuedPackets = (socket: Socket) =>
  (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;

const insecurePrincipal = (clientId: string, outlet: string): Principal => ({
  sub: clientId,
  role: 'admin',
  outletId: outlet,
  outlet,
  tenants: null,
});

/**
 * A connection that died without a close (a tablet roaming to another access point, a frozen
 * Wi-Fi link) is noticed by both ends within interval + timeout: 15 s instead of Socket.IO's
 * 45 s, during which a screen showed "connected" and orders waited. The timeout still allows a
 * 10 s round trip on congested Wi-Fi; a ping every 5 s to 1,000 screens is 200 tiny frames a
 * second.
 */
export const HEARTBEAT = { pingInterval: 5_000, pingTimeout: 10_000 } as const;

/** Says which cap it is, and what frees a slot: a dropped connection counts until noticed. */
const deviceCapMessage = (principal: Principal, max: number) =>
  `this device ("${principal.sub}") already has ${max} connections open, the per-device cap (--max-connections-per-device): close another tab or screen using its token, or wait ${(HEARTBEAT.pingInterval + HEARTBEAT.pingTimeout) / 1000} s for dropped ones to time out`;

export function attachSocketTransport(options: SocketTransportOptions): SocketTransport {
  const { reader, commands, logger, live } = options;
  const maxReplayBuffer = options.maxReplayBuffer ?? 10_000;
  const elapsed = options.elapsed ?? (() => performance.now());
  const io = new Server(options.httpServer, {
    cors: { origin: options.corsOrigin },
    maxHttpBufferSize: 1 << 20,
    serveClient: false,
    ...HEARTBEAT,
  });
  useSingleWriteFrames(io);
  useEagerWebSocketWrites(io);
  const replaying = new Set<Replaying>();
  const state = new WeakMap<Socket, ClientState>();

  // Connected sockets plus handshakes still verifying their token: a burst of handshakes
  // must not slip past the cap while each one awaits its verification.
  const admitted = new Set<Socket>();
  // Counted once the token says which device it is; given back with the global slot.
  const perDevice = createDeviceSlots(options.maxConnectionsPerDevice);
  const deviceSlots = new Map<Socket, () => void>();
  const release = (socket: Socket) => {
    admitted.delete(socket);
    deviceSlots.get(socket)?.();
    deviceSlots.delete(socket);
  };

  io.use((socket, next) => {
    if (options.refuseNew?.()) {
      // The client's reconnect lands on another node once the balancer stops routing here.
      next(refuse('unavailable', { reconnect: true }));
      return;
    }
    if (admitted.size >= options.maxConnections && options.maxConnections > 0) {
      next(refuse('rate_limited'));
      return;
    }
    // A token over the cap is still refused before anything parses it, but as `unauthorized`:
    // the client then asks its app for a token (a shorter one fixes it), where
    // `invalid_payload` would look like a client bug and retry the same token for ever.
    const token: unknown = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string' && token.length > LIMITS.TOKEN_MAX_LENGTH) {
      const message = `token is too long (${token.length} characters; at most ${LIMITS.TOKEN_MAX_LENGTH}): list fewer tenants, or none for every tenant`;
      options.onTokenRefused?.({
        reason: 'token_too_long',
        message,
        clientId: undefined,
        address: socket.handshake.address,
        transport: 'socket',
      });
      next(refuse('unauthorized', { message }));
      return;
    }
    const auth = validate(HandshakeAuthSchema, socket.handshake.auth ?? {});
    if (!auth.ok) {
      next(refuse('invalid_payload'));
      return;
    }
    admitted.add(socket);
    socket.conn.once('close', () => release(socket));
    options
      .verify(auth.value.token)
      .then(
        (principal) => {
          // A handshake that closed while it verified is not counted (socket.io drops it).
          if (principal && admitted.has(socket)) {
            const slot = perDevice.take(deviceKey(principal));
            if (!slot) {
              release(socket);
              options.onDeviceCapRefused?.(principal);
              next(
                refuse('rate_limited', {
                  message: deviceCapMessage(principal, options.maxConnectionsPerDevice),
                }),
              );
              return;
            }
            deviceSlots.set(socket, slot);
          }
          const clientId = auth.value.client_id ?? principal?.sub ?? socket.id;
          const queryOutlet = socket.handshake.query.outlet_id;
          const resolved =
            principal ??
            insecurePrincipal(
              clientId,
              typeof queryOutlet === 'string' && queryOutlet ? queryOutlet : options.insecureOutlet,
            );
          state.set(socket, {
            principal: resolved,
            clientId,
            connectedAt: new Date(options.now()).toISOString(),
            allow: createRateLimiter(options.rateLimit, elapsed),
          });
          next();
        },
        (error: unknown) => {
          release(socket);
          const message = error instanceof KitchenSyncError ? error.message : undefined;
          const claimed = (error as KitchenSyncError).details?.claimedSub;
          const reason = refusalReasonOf(error);
          options.onTokenRefused?.({
            reason,
            message: message ?? 'token refused',
            clientId: auth.value.client_id ?? (typeof claimed === 'string' ? claimed : undefined),
            address: socket.handshake.address,
            transport: 'socket',
          });
          next(
            refuse('unauthorized', {
              ...(message ? { message } : {}),
              reason,
              ...refusalHintOf(error),
            }),
          );
        },
      )
      .catch((error: unknown) => logger.error({ err: error }, 'handshake failed'));
  });

  const watchers = createWatcherBroadcasts(
    io,
    options.watcherBatchMs ?? DEFAULT_WATCHER_BATCH_MS,
    (error) => logger.error({ err: error }, 'live delivery to POS and monitors failed'),
  );
  const unsubscribe = live.subscribe((events: StoredEvent[]) => {
    // A commit batch of several events leaves each connection as one write (see the file).
    if (events.length === 1) deliverLive(events);
    else {
      const rooms = liveEventRooms(events, watchers.batched);
      withCorkedWebSockets(io, rooms, () => deliverLive(events));
    }
  });

  const namespace = io.of('/');
  function deliverLive(events: StoredEvent[]) {
    // Read here: a cluster node swaps in the Redis adapter after this transport is made.
    const { rooms } = namespace.adapter;
    for (const event of events) {
      // Local: in a cluster every node delivers its own clients from its sequencer (events
      // other nodes committed included), so boards get their frame here on every node.
      io.local
        .to(kitchenEventRooms(event.outlet, event.tenant))
        .emit(SOCKET_EVENTS.EVENT, event.envelope);
      watchers.add(event);
      // The board frame is made once per event, and only while a board is connected.
      const boards = boardRooms(event.outlet, event.tenant);
      if (boards.some((room) => rooms.has(room))) {
        io.local.to(boards).emit(SOCKET_EVENTS.EVENT, boardEnvelope(event.envelope));
      }
      for (const r of replaying) {
        if (r.outlet !== event.outlet) continue;
        if (r.tenants && !r.tenants.includes(event.tenant)) continue;
        r.buffer.push(event.envelope);
        if (r.buffer.length > maxReplayBuffer) {
          // A client that reads slowly enough to answer pings could otherwise hold every
          // live event in memory for as long as its replay lasts.
          replaying.delete(r);
          logger.warn({ buffered: r.buffer.length }, 'replay too slow; connection dropped');
          r.socket.disconnect(true);
        }
      }
    }
  }

  function presence(client: ClientState, status: KitchenStatusData['status']) {
    const { principal } = client;
    const timestamp = new Date(options.now()).toISOString();
    const single = principal.tenants?.length === 1 ? principal.tenants[0]! : null;
    const envelope: EventEnvelope<KitchenStatusData> = {
      seq: null,
      event_id: options.newId(),
      type: EVENT_TYPES.KITCHEN_STATUS_CHANGED,
      outlet_id: principal.outletId,
      tenant_id: single,
      data: { kitchen_id: principal.sub, status, timestamp },
      ts: timestamp,
    };
    io.to(presenceTargets(principal)).emit(SOCKET_EVENTS.EVENT, envelope);
  }

  /**
   * Snapshot or backlog, then exactly one caught_up, then the buffered live events. Reads are
   * asynchronous (the store may be PostgreSQL): after every await the socket may be gone.
   */
  async function catchUp(socket: Socket, client: ClientState): Promise<void> {
    const { principal } = client;
    const auth = socket.handshake.auth as { since?: number; epoch?: string; since_event?: string };
    const entry: Replaying = {
      socket,
      outlet: principal.outlet,
      tenants: principal.tenants,
      buffer: [],
    };
    // Buffer first, then cut: every commit after this line lands in the buffer.
    replaying.add(entry);
    // However the replay ends (even parked on 'drain' forever), a gone client leaves no entry.
    socket.once('disconnect', () => replaying.delete(entry));
    const goLive = (head: number, eventId: string | undefined) => {
      replaying.delete(entry);
      if (!socket.connected) return;
      // `ts`: screens read the relay's clock from it (the recall window is judged on it).
      const caughtUp: CaughtUpMessage = {
        seq: head,
        epoch: reader.epoch,
        ...(eventId !== undefined && { event_id: eventId }),
        ts: new Date(options.now()).toISOString(),
      };
      socket.emit(SOCKET_EVENTS.CAUGHT_UP, caughtUp);
      for (const envelope of entry.buffer) {
        if ((envelope.seq ?? 0) > head) {
          socket.emit(SOCKET_EVENTS.EVENT, envelopeFor(principal, envelope));
        }
      }
      socket.join([...roomsOf(principal), ...presenceRoomsOf(principal)]);
      watchers.joined(socket.id);
    };
    const fail = (error: unknown, what: string) => {
      replaying.delete(entry);
      logger.error({ err: error }, what);
      socket.disconnect(true);
    };
    const finish = (head: number, eventId: string | undefined) => {
      if (!options.liveThrough) {
        goLive(head, eventId);
        return;
      }
      // Events up to the head may still be on their way to this node's live feed.
      options.liveThrough(principal.outlet, head).then(
        () => goLive(head, eventId),
        (error: unknown) => fail(error, 'catch-up failed'),
      );
    };
    const sendSnapshot = async () => {
      // The snapshot's own head, read with its orders: caught_up must say what it reflects.
      const view = await reader.snapshot(principal.outlet, principal.tenants);
      const eventId = await eventIdAtCursor(reader, principal.outlet, view.head);
      if (!socket.connected) return void replaying.delete(entry);
      const snapshot: SnapshotMessage = {
        orders: ordersFor(principal, view.orders),
        seq: view.head,
        epoch: reader.epoch,
        ...(eventId !== undefined && { event_id: eventId }),
      };
      socket.emit(SOCKET_EVENTS.SNAPSHOT, snapshot);
      finish(view.head, eventId);
    };
    let plan: Awaited<ReturnType<typeof planCatchUp>>;
    let headEventId: string | undefined;
    try {
      // A cluster node follows the outlet from before the head is read: what it delivers
      // live from then on starts where the replay's read can reach, with no hole between.
      if (options.liveThrough) await options.liveThrough(principal.outlet, 0);
      if (!socket.connected) return void replaying.delete(entry);
      plan = await planCatchUp(reader, principal.outlet, auth.since, auth.epoch, {
        snapshotWhenNoCursor: true,
        sinceEvent: auth.since_event,
        onLogWentBack: (found) => reportLogWentBack(logger, found),
        device: principal.sub,
      });
      client.epoch = reader.epoch;
      if (plan.snapshot) return await sendSnapshot();
      headEventId = await eventIdAtCursor(reader, principal.outlet, plan.head);
    } catch (error) {
      fail(error, 'catch-up failed');
      return;
    }
    const head = plan.head;
    let cursor = auth.since ?? 0;
    // Long backlogs go out a page per tick so one replay never blocks the relay.
    const page = async () => {
      try {
        if (!socket.connected) return void replaying.delete(entry);
        const pruned = await reader.prunedThrough(principal.outlet);
        if (pruned > cursor) {
          // Retention dropped events this replay has not sent yet: going on would skip them.
          // Reconnecting, the client is behind retention and gets a snapshot instead.
          replaying.delete(entry);
          logger.warn({ cursor }, 'retention overtook a replay; connection dropped');
          socket.disconnect(true);
          return;
        }
        const events = await reader.eventsAfter(
          principal.outlet,
          cursor,
          BACKLOG_PAGE,
          principal.tenants,
        );
        if (!socket.connected) return void replaying.delete(entry);
        for (const event of events) {
          if (event.envelope.seq > head) break;
          socket.emit(SOCKET_EVENTS.EVENT, envelopeFor(principal, event.envelope));
          cursor = event.envelope.seq;
        }
        const last = events[events.length - 1];
        if (events.length < BACKLOG_PAGE || !last || last.envelope.seq >= head)
          finish(head, headEventId);
        // A client that reads slowly gets the next page only once the last one left for it:
        // otherwise its whole backlog would queue in the relay's memory.
        else if (queuedPackets(socket) > 0) socket.conn.once('drain', () => setImmediate(next));
        else setImmediate(next);
      } catch (error) {
        if (!isUnreadableRange(error)) return fail(error, 'backlog replay failed');
        // An event that cannot be read (damaged on disk, reported by the store): the open
        // orders come from their own rows instead, with everything logged after it.
        try {
          await sendSnapshot();
        } catch (failure) {
          fail(failure, 'backlog replay failed');
        }
      }
    };
    const next = () => void page();
    await page();
  }

  function dropExpired(socket: Socket, client: ClientState) {
    logger.info(
      { client_id: client.clientId, role: client.principal.role },
      'token expired; connection dropped',
    );
    socket.disconnect(true);
  }

  // Commands are checked as they come; this finds the quiet ones (a kitchen screen that
  // only listens) so an expired token does not keep receiving orders forever.
  const expirySweep = setInterval(() => {
    const nowMs = options.now();
    for (const socket of io.of('/').sockets.values()) {
      const client = state.get(socket);
      if (client && tokenTime(client.principal.expiresAtMs, nowMs) === 'drop') {
        dropExpired(socket, client);
      }
    }
  }, options.expirySweepMs ?? 10_000);
  expirySweep.unref();

  // A new epoch (the log went back): a client planned under the old one may have been given,
  // as seen, seqs that now belong to other orders. Dropped, it reconnects with the old epoch
  // and takes a snapshot. Those planned under the new one stay.
  reader.onEpochChange?.((epoch) => {
    let dropped = 0;
    for (const socket of io.of('/').sockets.values()) {
      const client = state.get(socket);
      if (client?.epoch === undefined || client.epoch === epoch) continue;
      dropped += 1;
      socket.disconnect(true);
    }
    if (dropped > 0) {
      logger.info({ epoch, dropped }, 'new epoch: clients of the old one reconnect for a snapshot');
    }
  });

  async function dispatch(socket: Socket, client: ClientState, event: string, args: unknown[]) {
    const last = args[args.length - 1];
    const reply = typeof last === 'function' ? (last as (answer: unknown) => void) : undefined;
    const respond = (answer: unknown) => {
      if (reply && socket.connected) reply(answer);
    };
    if (!client.allow()) {
      respond(failure('rate_limited', 'too many messages, slow down'));
      return;
    }
    if (event === SOCKET_EVENTS.PING) {
      respond({ ok: true, ts: new Date(options.now()).toISOString() });
      return;
    }
    const token = tokenTime(client.principal.expiresAtMs, options.now());
    if (token !== 'valid') {
      respond(failure('unauthorized', 'your token has expired; reconnect with a fresh one'));
      if (token === 'drop') dropExpired(socket, client);
      return;
    }
    if (!REQUESTS.has(event)) {
      respond(failure('not_found', 'unknown event'));
      return;
    }
    if (options.refuseNew?.()) {
      // A draining node takes nothing new: an answer now, where a cut would lose the ack, and
      // the client sends it again to the node it reconnects to.
      respond(
        failure('unavailable', 'this relay node is draining; send it again after reconnecting'),
      );
      return;
    }
    const payload = (reply ? args.slice(0, -1) : args)[0];
    const result = await commands.handle(
      client.principal,
      event as RequestType,
      payload,
      client.clientId,
    );
    respond(result);
  }

  io.on('connection', (socket) => {
    const client = state.get(socket);
    if (!client) {
      release(socket);
      socket.disconnect(true);
      return;
    }
    const { principal } = client;
    options.onConnectionsChanged(principal.role, 1);
    logger.info(
      {
        client_id: client.clientId,
        role: principal.role,
        outlet: principal.outlet,
        tenants: principal.tenants,
      },
      'client connected',
    );
    socket.onAny((event: string, ...args: unknown[]) => {
      dispatch(socket, client, event, args).catch((error) => {
        logger.error({ err: error, event }, 'socket handler failed');
        const last = args[args.length - 1];
        if (typeof last === 'function') last(failure('internal', 'internal error'));
      });
    });
    socket.on('error', (error) => logger.warn({ err: error }, 'socket error'));
    socket.on('disconnect', (reason) => {
      release(socket);
      options.onConnectionsChanged(principal.role, -1);
      logger.info(
        { client_id: client.clientId, role: principal.role, reason },
        'client disconnected',
      );
      if (principal.role === 'kitchen') presence(client, 'disconnected');
    });
    options.bridge?.sawDevice?.(principal.outlet);
    if (options.bridge && principal.outlet === options.bridge.outlet) {
      socket.join(bridgeRoom(principal.outlet));
      socket.emit(SOCKET_EVENTS.BRIDGE, options.bridge.status());
    }
    void catchUp(socket, client);
    if (principal.role === 'kitchen') presence(client, 'connected');
  });

  return {
    io,
    clients() {
      const rows: ConnectedClient[] = [];
      for (const socket of io.of('/').sockets.values()) {
        const client = state.get(socket);
        if (!client) continue;
        rows.push({
          id: socket.id,
          client_id: client.clientId,
          role: client.principal.role,
          outlet: client.principal.outlet,
          tenants: client.principal.tenants,
          transport: socket.conn.transport.name,
          address: socket.handshake.address,
          connected_at: client.connectedAt,
        });
      }
      return rows;
    },
    announceBridge(message) {
      if (options.bridge)
        io.to(bridgeRoom(options.bridge.outlet)).emit(SOCKET_EVENTS.BRIDGE, message);
    },
    async close() {
      clearInterval(expirySweep);
      unsubscribe();
      // Nothing is lost: every connection is closed below and resumes from its cursor.
      watchers.close();
      replaying.clear();
      io.disconnectSockets(true);
      // The HTTP server belongs to fastify, which closes it; io.close() would close it twice.
      io.engine.close();
    },
  };
}
