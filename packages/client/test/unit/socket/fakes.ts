import type { CaughtUpMessage, EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { afterEach, vi } from 'vitest';
import type { Timers } from '../../../src/lib/environment.js';
import type { WebSocketLike } from '../../../src/socket/centralTransport.js';
import type { RelaySocket, RelaySocketOptions } from '../../../src/socket/localTransport.js';
import {
  createSocketService,
  type SocketServiceOptions,
} from '../../../src/socket/socketService.js';
import type { SocketService } from '../../../src/socket/types.js';

/** Timers routed through vitest's fake clock, passed in as the service's injected timers. */
export const fakeTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * Socket services for one test file: outlet 1 on the fake clock with random 0.5, then the file's
 * defaults, then the test's overrides. After each test the last one made is stopped and real
 * timers are back (call it at the file's top level).
 */
export function socketServices(defaults: Partial<SocketServiceOptions>) {
  let current: SocketService | undefined;
  afterEach(() => {
    current?.stop();
    current = undefined;
    vi.useRealTimers();
  });
  return {
    make(overrides: Partial<SocketServiceOptions> = {}): SocketService {
      current = createSocketService({
        outletId: 1,
        timers: fakeTimers,
        now: () => Date.now(),
        random: () => 0.5,
        ...defaults,
        ...overrides,
      });
      return current;
    },
  };
}

type Handler = ((event: never) => void) | null;

/** A WebSocket the test plays the server side of. */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closedByClient = false;
  onopen: Handler = null;
  onclose: Handler = null;
  onmessage: Handler = null;
  onerror: Handler = null;

  constructor(
    readonly url: string,
    /** The subprotocols offered, as `new WebSocket(url, protocols)` got them. */
    readonly protocols?: string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  static factory = (url: string, protocols?: string[]): WebSocketLike =>
    new FakeWebSocket(url, protocols) as unknown as WebSocketLike;

  static latest(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (!ws) throw new Error('no WebSocket was opened');
    return ws;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.readyState = 3;
    this.closedByClient = true;
  }

  serverOpen(): void {
    this.readyState = 1;
    (this.onopen as ((e: unknown) => void) | null)?.({});
  }

  serverSend(message: unknown): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    (this.onmessage as ((e: { data: string }) => void) | null)?.({ data });
  }

  /** `code`: a close code the server sends (central's 4401 refusal), none by default. */
  serverClose(code?: number): void {
    this.readyState = 3;
    (this.onclose as ((e: unknown) => void) | null)?.(code === undefined ? {} : { code });
  }
}

type Listener = (...args: never[]) => void;

/** A socket.io-client socket the test plays the relay side of. */
export class FakeRelaySocket implements RelaySocket {
  static instances: FakeRelaySocket[] = [];
  connected = false;
  auth: unknown = {};
  /** The handshake `auth` of every connect attempt, in order. */
  attempts: unknown[] = [];
  emitted: Array<{ event: string; payload: unknown; ack?: (ack: unknown) => void }> = [];
  #handlers = new Map<string, Set<Listener>>();

  constructor(
    readonly url: string,
    readonly options: RelaySocketOptions,
  ) {
    FakeRelaySocket.instances.push(this);
  }

  static factory = (url: string, options: RelaySocketOptions): RelaySocket =>
    new FakeRelaySocket(url, options);

  /** A relay socket whose every connect fails as a WebSocket error (a relay not reachable). */
  static refusing = (url: string, options: RelaySocketOptions): RelaySocket => {
    const socket = new FakeRelaySocket(url, options);
    const connect = socket.connect.bind(socket);
    socket.connect = () => {
      connect();
      queueMicrotask(() => socket.refuse('websocket error'));
    };
    return socket;
  };

  static latest(): FakeRelaySocket {
    const s = FakeRelaySocket.instances.at(-1);
    if (!s) throw new Error('no relay socket was created');
    return s;
  }

  connect(): void {
    this.attempts.push(structuredClone(this.auth));
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.#fire('disconnect', 'io client disconnect');
  }

  on(event: string, listener: Listener): void {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    set.add(listener);
  }

  emit(event: string, payload: unknown, ack?: (ack: unknown) => void): void {
    this.emitted.push({ event, payload, ...(ack ? { ack } : {}) });
  }

  accept(): void {
    this.connected = true;
    this.#fire('connect');
  }

  refuse(message: string): void {
    this.#fire('connect_error', new Error(message));
  }

  /** A connect_error as socket.io-client raises it, e.g. a TransportError with a `description`. */
  fail(error: unknown): void {
    this.#fire('connect_error', error);
  }

  drop(): void {
    this.connected = false;
    this.#fire('disconnect', 'transport close');
  }

  sendEvent(event: EventEnvelope): void {
    this.#fire('event', event);
  }

  sendSnapshot(snapshot: SnapshotMessage): void {
    this.#fire('sync:snapshot', snapshot);
  }

  sendCaughtUp(caughtUp: CaughtUpMessage): void {
    this.#fire('sync:caught_up', caughtUp);
  }

  /** `sync:bridge`: a relay with an uplink says how far central is behind. */
  sendBridge(status: unknown): void {
    this.#fire('sync:bridge', status);
  }

  #fire(event: string, ...args: unknown[]): void {
    for (const fn of this.#handlers.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }
}

let counter = 0;

/** A relay-shaped order event; `seq` null makes it a central one. */
export function orderEvent(
  overrides: Partial<EventEnvelope> & { status?: string } = {},
): EventEnvelope {
  counter++;
  const { status = 'pending', ...rest } = overrides;
  const orderId = rest.order_id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    seq: counter,
    event_id: `10000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    type: 'new_order',
    outlet_id: 1,
    tenant_id: 3,
    order_id: orderId,
    data: { order_id: orderId, status, version: 1 },
    ts: '2026-01-03T10:00:00.000Z',
    ...rest,
  };
}

export function resetFakes(): void {
  FakeWebSocket.instances = [];
  FakeRelaySocket.instances = [];
}
