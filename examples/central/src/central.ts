import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import cors from '@fastify/cors';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { DeviceTokens } from './deviceTokens.js';
import {
  CATEGORIES,
  DISCONTINUED_PRODUCT_IDS,
  demoPromotions,
  OUTLET,
  PRODUCTS,
  type Product,
  TENANTS,
} from './menu.js';
import { type OrderGroup, OrderGroupStore } from './orderGroups.js';
import { OutletChannel } from './outletChannel.js';
import { VersionedCollection } from './versionedCollection.js';

export interface CentralOptions {
  port?: number;
  host?: string;
  /** HS256 secret shared with the relay; central mints the relay tokens. */
  relaySecret: string;
  /**
   * HS256 secret of central's own outlet socket tokens (Django's `SOCKET_TOKEN_SECRET`), held
   * by central alone: every outlet's relay holds `relaySecret`, so with that one any relay
   * could mint a token for another outlet's socket and read its orders.
   */
  socketSecret: string;
  /** Port of the LAN relay; its host is the one the browser used to reach central. */
  relayPort?: number;
  /** Overrides the derived relay URL (e.g. a relay on another machine of the LAN). */
  relayUrl?: string;
  /**
   * Serve HTTPS (and `wss://` for the outlet channel) with this PEM certificate and key. The
   * derived relay URL is then `https://` too: an https page may not call an http relay.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  tokenTtlSeconds?: number;
  now?: () => Date;
  /** A socket without a cursor gets the open orders whose latest event is this recent (12 h). */
  openOrdersWindowMs?: number;
  /**
   * `false` plays a central from before the token went in the subprotocol: its `websocket_url`
   * has no `token_in=subprotocol`, and its socket reads only `?token=` (upgrade-order tests).
   */
  socketTokenInSubprotocol?: boolean;
}

export interface Central {
  readonly url: string;
  readonly port: number;
  /** Order groups booked, in arrival order (each Idempotency-Key once). */
  readonly orderGroups: readonly OrderGroup[];
  /** How many POSTs reached central, replays included. */
  readonly orderPostCount: number;
  readonly isDown: boolean;
  /**
   * Serves this certificate and key from the next TLS connection on (open ones keep theirs);
   * throws, keeping the old pair, when they do not load or do not match. Only with `tls`.
   */
  setTls(tls: { cert: string | Buffer; key: string | Buffer }): void;
  /** Simulates the internet going away: the listener closes and every socket is dropped. */
  setOutage(down: boolean): Promise<void>;
  /** The menu manager at work: the product takes the next version with these fields. */
  changeProduct(id: number, fields: Partial<Product>): void;
  /** Withdraws a product: a tombstone at the next version. */
  removeProduct(id: number): void;
  close(): Promise<void>;
}

const PAGE_LIMIT_DEFAULT = 50;
const PAGE_LIMIT_MAX = 500;

function queryNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

function requestHostname(request: FastifyRequest): string {
  return request.hostname.replace(/:\d+$/, '') || '127.0.0.1';
}

function buildCatalog(now: Date) {
  const products = new VersionedCollection<(typeof PRODUCTS)[number]>();
  const categories = new VersionedCollection<(typeof CATEGORIES)[number]>();
  const promotions = new VersionedCollection<ReturnType<typeof demoPromotions>[number]>();
  for (const category of CATEGORIES) categories.upsert(category);
  for (const product of PRODUCTS) products.upsert(product);
  for (const id of DISCONTINUED_PRODUCT_IDS) products.remove(id);
  for (const promotion of demoPromotions(now)) promotions.upsert(promotion);
  return { products, categories, promotions };
}

export async function startCentral(options: CentralOptions): Promise<Central> {
  if (options.socketSecret === options.relaySecret) {
    throw new KitchenSyncError(
      'socket_secret_shared',
      "socketSecret must not be the relay's secret: every relay holds that one",
    );
  }
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const tokenTtl = options.tokenTtlSeconds ?? 30 * 24 * 60 * 60;
  const catalog = buildCatalog(now());
  const groups = new OrderGroupStore(now);
  const relayTokens = new DeviceTokens(options.relaySecret);
  const socketTokens = new DeviceTokens(options.socketSecret);
  const tokenInSubprotocol = options.socketTokenInSubprotocol ?? true;
  const channel = new OutletChannel((token) => socketTokens.verify(token), {
    now: () => now().getTime(),
    tokenInSubprotocol,
    ...(options.openOrdersWindowMs !== undefined
      ? { openOrdersWindowMs: options.openOrdersWindowMs }
      : {}),
  });
  let orderPostCount = 0;
  let down = false;

  const secure = options.tls !== undefined;
  const scheme = secure ? 'https' : 'http';
  // Typed as the plain-http instance: the routes and the server calls used here are the same.
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
  });

  app.get('/health', async () => ({ status: 'ok', timestamp: now().toISOString() }));
  app.get('/api/health/', async () => ({ status: 'ok', timestamp: now().toISOString() }));

  for (const [name, collection] of Object.entries(catalog)) {
    app.get(`/api/${name}/`, async (request) => {
      const query = request.query as Record<string, unknown>;
      const since = queryNumber(query.since_version, 0);
      const limit = Math.min(queryNumber(query.limit, PAGE_LIMIT_DEFAULT), PAGE_LIMIT_MAX) || 1;
      return collection.page(since, limit);
    });
  }

  app.get('/api/tenants/', async () => TENANTS);

  app.get('/api/tenants/outlets/:id/', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (id !== String(OUTLET.id)) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'unknown outlet' } });
    }
    const query = request.query as Record<string, string | undefined>;
    const tenant = TENANTS.find((t) => String(t.id) === query.tenant);
    // `?role=board`: the pickup board, read-only, every tenant's orders without guest data;
    // `?role=monitor`: a staff screen that reads whole orders.
    const role = tenant
      ? 'kitchen'
      : query.role === 'monitor' || query.role === 'board'
        ? query.role
        : 'pos';
    const device = query.device?.slice(0, 48) || `${role}-${tenant?.id ?? 'all'}`;
    const hostname = requestHostname(request);
    const relayUrl = options.relayUrl ?? `${scheme}://${hostname}:${options.relayPort ?? 3001}`;
    const centralPort = (app.server.address() as AddressInfo).port;
    const claims = {
      role,
      outletId: OUTLET.id,
      ...(tenant ? { tenants: [tenant.id] } : {}),
      sub: device,
      ttlSeconds: tokenTtl,
    } as const;
    const token = await relayTokens.mint(claims);
    // As Django's settings view: the socket takes the device's socket token (same claims, the
    // socket secret; a browser WebSocket cannot send headers), and a kitchen's token is scoped
    // to its tenant there as at the relay.
    const socketQuery = new URLSearchParams({ token: await socketTokens.mint(claims) });
    if (tenant) socketQuery.set('tenant', String(tenant.id));
    // A client of this release offers the token as a subprotocol instead (out of the browser's
    // console and proxies' logs); older ones dial the URL, token and all.
    if (tokenInSubprotocol) socketQuery.set('token_in', 'subprotocol');
    reply.header('Cache-Control', 'no-store');
    return {
      id: OUTLET.id,
      name: OUTLET.name,
      websocket_url: `${secure ? 'wss' : 'ws'}://${hostname}:${centralPort}/ws/outlet/${OUTLET.id}/?${socketQuery}`,
      relay_url: relayUrl,
      relay_token: token,
      tenants: TENANTS,
    };
  });

  app.post('/api/public/order-groups/', async (request, reply) => {
    orderPostCount += 1;
    const key = request.headers['idempotency-key'];
    const result = groups.create(typeof key === 'string' ? key : undefined, request.body);
    if (result.ok && !result.replayed) {
      for (const order of result.group.orders) {
        channel.publish(order.outlet_id, order.tenant_id, 'new_order', order);
      }
    }
    return reply.code(result.answer.status).send(result.answer.body);
  });

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: 'no such route' } }),
  );

  app.server.on('upgrade', (request, socket, head) => {
    if (!channel.handleUpgrade(request, socket, head)) socket.destroy();
  });

  await app.listen({ port: options.port ?? 8000, host });
  // Re-listening after an outage must reuse the port the clients know.
  const port = (app.server.address() as AddressInfo).port;

  const closeListener = () =>
    new Promise<void>((resolve) => {
      app.server.close(() => resolve());
      app.server.closeAllConnections();
      channel.dropAll();
    });

  return {
    url: `${scheme}://${host}:${port}`,
    port,
    get orderGroups() {
      return groups.groups;
    },
    get orderPostCount() {
      return orderPostCount;
    },
    changeProduct(id, fields) {
      const current = catalog.products.get(id);
      if (!current || current.deleted) throw new Error(`no product ${id} on the menu`);
      const { version: _version, ...product } = current;
      catalog.products.upsert({ ...product, ...fields, id });
    },
    removeProduct(id) {
      catalog.products.remove(id);
    },
    setTls(tls) {
      if (!secure) throw new Error('central serves plain http: start it with tls');
      (app.server as unknown as TlsServer).setSecureContext(tls);
    },
    get isDown() {
      return down;
    },
    async setOutage(next) {
      if (next === down) return;
      down = next;
      if (next) {
        await closeListener();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        app.server.once('error', reject);
        app.server.listen(port, host, () => {
          app.server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      channel.close();
      if (!down) app.server.closeAllConnections();
      down = true;
      await app.close();
    },
  };
}
