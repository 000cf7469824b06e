import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope, Order, OrderState, Role } from '@kitchen-sync/protocol';
import { io, type Socket } from 'socket.io-client';
import {
  createLogger,
  createMemoryEventStore,
  createRelay,
  type EventStore,
  type NewEvent,
  type RelayOptions,
  signToken,
} from '../src/index.js';
import { failure } from '../src/lib/failure.js';
import { createLiveFeed } from '../src/lib/liveFeed.js';
import type { Relay } from '../src/relay.js';
import { syncLogReader } from '../src/store/LogReader.js';
import type { PostgresEventStore } from '../src/store/postgres/postgresEventStore.js';
import { readThrough } from '../src/store/postgres/readThrough.js';
import {
  attachSocketTransport,
  type SocketTransport,
  type SocketTransportOptions,
} from '../src/transport/socketTransport.js';
import { freshDatabaseUrl, TEST_STORE } from './sharedPostgres.js';

const tempDirs: string[] = [];

/** A fresh data dir for a store under test; `removeTempDirs()` in afterEach deletes it. */
export function tempDir(prefix = 'ks-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const SECRET = 'test-secret-that-is-long-enough-32b';

export interface TestRelay {
  url: string;
  port: number;
  dir: string;
  relay: ReturnType<typeof createRelay>;
  close(): Promise<void>;
}

const openSockets = new Set<Socket>();

/** Disconnects every client the helpers opened and that is still open. */
export function closeClients(): void {
  for (const socket of openSockets) socket.disconnect();
  openSockets.clear();
}

/**
 * A relay on 127.0.0.1:0 with a SQLite log in a fresh temp dir (unless `store` says otherwise);
 * under `KS_TEST_STORE=postgres`, with a fresh database on the file's PostgreSQL instead.
 */
export async function startRelay(options: RelayOptions = {}): Promise<TestRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'ks-relay-'));
  const onPostgres = TEST_STORE === 'postgres' && options.store === undefined;
  const relay = createRelay({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    secret: SECRET,
    logLevel: 'silent',
    ...(onPostgres ? { store: 'postgres', databaseUrl: await freshDatabaseUrl() } : {}),
    ...options,
  });
  const { url, port } = await relay.listen();
  return {
    url,
    port,
    dir,
    relay,
    async close() {
      closeClients();
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads rows through the store's synchronous methods (getOrder, getEvent, getAck) whatever
 * the store: PostgreSQL answers them only inside a transaction.
 */
export function peek<T>(relay: Relay, read: (store: EventStore) => T): Promise<T> {
  const { store } = relay;
  if (store.kind === 'postgres') return readThrough(store as PostgresEventStore, () => read(store));
  return Promise.resolve(read(store));
}

export interface TestTransport {
  url: string;
  transport: SocketTransport;
  close(): Promise<void>;
}

/**
 * The socket transport alone on 127.0.0.1:0 (memory store, commands that refuse), for tests
 * that must control what the relay's parts do, such as when a token verification ends.
 */
export async function startTransport(
  overrides: Partial<SocketTransportOptions> & { store?: EventStore },
): Promise<TestTransport> {
  const server = createServer();
  const { store = createMemoryEventStore(), ...rest } = overrides;
  const transport = attachSocketTransport({
    httpServer: server,
    reader: syncLogReader(store),
    commands: { handle: async () => failure('internal', 'not under test') },
    verify: async () => ({ sub: 'kds', role: 'kitchen', outletId: 1, outlet: '1', tenants: null }),
    live: createLiveFeed(() => undefined),
    logger: createLogger({ level: 'silent' }),
    now: Date.now,
    newId: randomUUID,
    rateLimit: 0,
    maxConnections: 0,
    maxConnectionsPerDevice: 0,
    corsOrigin: '*',
    insecureOutlet: '1',
    onConnectionsChanged: () => undefined,
    ...rest,
  });
  // Upgraded WebSockets leave the HTTP server's books: track them to end them on close.
  const connections = new Set<NetSocket>();
  server.on('connection', (socket: NetSocket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    transport,
    async close() {
      closeClients();
      await transport.close();
      // A test client that stopped reading would otherwise hold server.close() open.
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    },
  };
}

export function tokenFor(
  role: Role,
  opts: {
    outlet?: string | number;
    tenants?: Array<string | number>;
    sub?: string;
    ttl?: number | string;
  } = {},
): Promise<string> {
  return signToken(
    SECRET,
    {
      sub: opts.sub ?? `${role}-${randomUUID().slice(0, 8)}`,
      role,
      outlet: opts.outlet ?? 1,
      ...(opts.tenants ? { tenants: opts.tenants } : {}),
    },
    opts.ttl ?? '1h',
  );
}

export interface Received {
  name: string;
  data: unknown;
}

export interface TestClient {
  socket: Socket;
  received: Received[];
  /** Logged events only (presence excluded). */
  events(): EventEnvelope[];
  presence(): EventEnvelope[];
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  request<T = unknown>(event: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** A socket.io client that records everything the relay sends, in arrival order. */
export function client(url: string, auth: Record<string, unknown>): TestClient {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 5_000,
  });
  openSockets.add(socket);
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((name: string, data: unknown) => {
    received.push({ name, data });
    for (const w of [...waiters]) w();
  });
  return {
    socket,
    received,
    events: () =>
      received
        .filter((r) => r.name === 'event' && (r.data as EventEnvelope).seq !== null)
        .map((r) => r.data as EventEnvelope),
    presence: () =>
      received
        .filter((r) => r.name === 'event' && (r.data as EventEnvelope).seq === null)
        .map((r) => r.data as EventEnvelope),
    waitFor(predicate, timeoutMs = 5_000) {
      if (predicate(received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; received ${received.map((r) => r.name).join(',')}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    request<T>(event: string, payload?: unknown, timeoutMs = 5_000) {
      return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
    },
    close() {
      socket.disconnect();
      openSockets.delete(socket);
    },
  };
}

/** Connects and waits for `sync:caught_up`. */
export async function connected(url: string, auth: Record<string, unknown>): Promise<TestClient> {
  const c = client(url, auth);
  await c.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'));
  return c;
}

/** Resolves with the `connect_error` message, or rejects if the handshake succeeds. */
export async function refusal(url: string, auth: Record<string, unknown>): Promise<string> {
  return (await refusalError(url, auth)).message;
}

/** The whole `connect_error` (`data` holds the code and any hint), or rejects if accepted. */
export function refusalError(
  url: string,
  auth: Record<string, unknown>,
): Promise<Error & { data?: Record<string, unknown> }> {
  const c = client(url, auth);
  return new Promise((resolve, reject) => {
    c.socket.on('connect_error', (error) => {
      c.close();
      resolve(error);
    });
    c.socket.on('connect', () => {
      c.close();
      reject(new Error('handshake was accepted'));
    });
  });
}

export function order(overrides: Partial<Order> & Record<string, unknown> = {}): Order {
  return {
    order_id: randomUUID(),
    order_number: `T-${Math.floor(Math.random() * 1e6)}`,
    outlet_id: 1,
    tenant_id: 3,
    status: 'pending',
    items: [{ product_id: 10, name: 'Nasi goreng', quantity: 2, price: '25000' }],
    total_amount: '50000',
    created_at: '2026-01-01T10:00:00.000Z',
    ...overrides,
  } as Order;
}

/** The `new_order` log entry the relay writes for `o` (outlet 1, tenant 3), for filling a store. */
export function newOrderEvent(o: Order = order(), tsMs = 0): NewEvent {
  return {
    outlet: '1',
    tenant: '3',
    tsMs,
    envelope: {
      event_id: randomUUID(),
      type: 'new_order',
      outlet_id: 1,
      tenant_id: 3,
      order_id: o.order_id,
      data: { ...o, status: 'pending', version: 1 } as OrderState,
      ts: new Date(tsMs).toISOString(),
    },
  };
}

export async function http(
  url: string,
  path: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect JSON answers field by field
): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
    signal: AbortSignal.timeout(init.timeoutMs ?? 40_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) };
}

/** The stable `code` of what `fn` throws, or 'no error' when it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
}
