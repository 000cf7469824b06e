import { io as realIo } from 'socket.io-client';
import type { IoFactory, RelaySocket } from '../../src/socket/localTransport.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { EventSource, SocketService } from '../../src/socket/types.js';

/** What the fleet sent while the relay was away: the cost of waiting for it. */
export interface Attempts {
  sockets: number;
  polls: number;
  probes: number;
}

export interface Screen {
  readonly service: SocketService;
  /** ms (performance.now) and source when the marker order arrived, or null. */
  seen: { at: number; source: EventSource } | null;
}

/**
 * N kitchen screens in one Node process, each a socket service with default options (real
 * socket.io-client, polling fallback), counting every socket attempt, poll and probe.
 */
export class Fleet {
  readonly screens: Screen[] = [];
  readonly attempts: Attempts = { sockets: 0, polls: 0, probes: 0 };
  #marker: string | null = null;

  constructor(relayUrl: string, tokens: string[]) {
    const io: IoFactory = (url, options) => {
      const socket = realIo(url, options) as unknown as RelaySocket;
      const connect = socket.connect.bind(socket);
      socket.connect = () => {
        this.attempts.sockets++;
        return connect();
      };
      return socket;
    };
    const fetch: typeof globalThis.fetch = (input, init) => {
      const path = new URL(String(input)).pathname;
      if (path === '/api/events') this.attempts.polls++;
      else this.attempts.probes++;
      return globalThis.fetch(input, init);
    };
    tokens.forEach((token, i) => {
      const service = createSocketService({
        outletId: 1,
        relayUrl,
        token,
        clientId: `catchup-${i}`,
        io,
        fetch,
      });
      const screen: Screen = { service, seen: null };
      service.on('event', (event, source) => {
        if (event.order_id === this.#marker && !screen.seen) {
          screen.seen = { at: performance.now(), source };
        }
      });
      this.screens.push(screen);
    });
  }

  start(): void {
    for (const screen of this.screens) screen.service.start();
  }

  stop(): void {
    for (const screen of this.screens) screen.service.stop();
  }

  connected(): number {
    return this.screens.filter((s) => s.service.status.get().localConnected).length;
  }

  /** From now on, an event for `orderId` counts as caught up. */
  watch(orderId: string): void {
    this.#marker = orderId;
    for (const screen of this.screens) screen.seen = null;
  }

  resetAttempts(): void {
    this.attempts.sockets = this.attempts.polls = this.attempts.probes = 0;
  }
}
