import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RelaySocketOptions } from '../../../src/socket/localTransport.js';
import type { SocketService } from '../../../src/socket/types.js';
import { FakeRelaySocket, resetFakes, socketServices } from './fakes.js';

// Issue 13.2: after a long outage the reconnect backoff had grown to 30 s, so screens took up
// to 30 s to notice the relay was back. Target: within 3 s, without flooding a down relay.
const MINUTE = 60_000;

/** A relay on the LAN that is up or down; records what screens ask of it. */
class Relay {
  up = true;
  probes: number[] = [];
  polls: number[] = [];
  socketAttempts: number[] = [];
  /** What a socket whose handshake went through gets; `refuse` keeps it out (blocked ws). */
  socketsBlocked = false;
  /** Packets dropped without an answer (a black hole): connects and requests just hang. */
  hung = false;

  io = (url: string, options: RelaySocketOptions) => {
    const socket = new FakeRelaySocket(url, options);
    const connect = socket.connect.bind(socket);
    socket.connect = () => {
      connect();
      this.socketAttempts.push(Date.now());
      if (this.hung) return;
      // socket.io reports a refused TCP connection as a transport error, a moment later.
      queueMicrotask(() =>
        this.up && !this.socketsBlocked ? socket.accept() : socket.refuse('websocket error'),
      );
    };
    return socket;
  };

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input)).pathname;
    (path === '/health' ? this.probes : this.polls).push(Date.now());
    if (this.hung) {
      await new Promise((_, reject) => init?.signal?.addEventListener('abort', reject));
    }
    if (!this.up) throw new TypeError('fetch failed: ECONNREFUSED');
    if (path === '/health') return Response.json({ status: 'ok' });
    return Response.json({ events: [], last_seq: 0, epoch: 'e1' });
  };

  /** The relay goes down with every screen's socket. */
  kill(): void {
    this.up = false;
    for (const socket of FakeRelaySocket.instances) if (socket.connected) socket.drop();
  }
}

let relay: Relay;
const services = socketServices({ relayUrl: 'http://relay.test:3001', token: 'tok' });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
  relay = new Relay();
});

function screen(overrides: Parameters<typeof services.make>[0] = {}): SocketService {
  return services.make({
    io: relay.io,
    fetch: relay.fetch,
    // random 0.5 (the helper's default) puts every jitter in the middle: delays are exact.
    ...overrides,
  });
}

describe('catching up after a relay outage', () => {
  // Not on a backoff step (1, 3, 7, 15, 31, 61 … s), where the socket would be lucky.
  it.each([10_000, MINUTE + 2_000, 5 * MINUTE + 2_000])(
    'the socket is back within 1.5 s of the relay, after an outage of %i ms',
    async (outage) => {
      // Polling held off: this is about the socket's own way back.
      const s = screen({ pollingGraceMs: 60 * MINUTE });
      s.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(s.status.get().localConnected).toBe(true);

      relay.kill();
      await vi.advanceTimersByTimeAsync(outage);
      const attemptsWhileDown = relay.socketAttempts.length - 1;
      const probesWhileDown = relay.probes.length;
      relay.up = true;
      const back = Date.now();
      await vi.advanceTimersByTimeAsync(1_500);

      expect(s.status.get().localConnected).toBe(true);
      // Not hammered while down: a probe about every second, socket handshakes backing off.
      expect(probesWhileDown).toBeLessThanOrEqual(outage / 500);
      expect(attemptsWhileDown).toBeLessThanOrEqual(5 + outage / 15_000);
      // And once back, the probe is quiet.
      const probesAfter = relay.probes.filter((t) => t > back + 1_500).length;
      await vi.advanceTimersByTimeAsync(MINUTE);
      expect(relay.probes.filter((t) => t > back + 1_500).length).toBe(probesAfter);
    },
  );

  it('a screen that can only poll (sockets blocked) polls within 1.5 s of the relay coming back', async () => {
    relay.socketsBlocked = true;
    const s = screen({ polling: { longPollMs: 0, minIntervalMs: 1_000, maxIntervalMs: 10_000 } });
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.status.get().isPolling).toBe(true);

    relay.up = false;
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    relay.up = true;
    const back = Date.now();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(relay.polls.filter((t) => t > back).length).toBeGreaterThan(0);
    expect(s.status.get().error).toBeNull();
    // The interval starts again from the shortest (it had grown to 10 s before the outage).
    await vi.advanceTimersByTimeAsync(3_000);
    expect(relay.polls.filter((t) => t > back).length).toBeGreaterThanOrEqual(2);
  });

  it('a relay that answers but refuses sockets is not flooded: the socket keeps its backoff', async () => {
    relay.socketsBlocked = true;
    const s = screen();
    s.start();
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    // Backoff 1, 2, 4 … 30 s: handshakes at 0, 1, 3, 7, 15, 31, 61, 91 … 271 s, one probe after each.
    expect(relay.socketAttempts.length).toBe(14);
    expect(relay.probes.length).toBeLessThanOrEqual(relay.socketAttempts.length);
    expect(s.status.get().isPolling).toBe(true);
  });

  it('gives up a connect attempt hung in a black hole as soon as the probe hears the relay', async () => {
    const s = screen({ pollingGraceMs: 60 * MINUTE });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    relay.hung = true;
    // The heartbeat found the socket dead; every attempt since hangs (socket.io's own connect
    // timeout is 20 s, and this fake has none).
    FakeRelaySocket.latest().drop();
    await vi.advanceTimersByTimeAsync(70_000);
    expect(s.status.get().localConnected).toBe(false);

    relay.hung = false;
    // A probe still in flight times out (2 s), the next one (1 s on) is answered.
    await vi.advanceTimersByTimeAsync(3_500);
    expect(s.status.get().localConnected).toBe(true);
  });

  it('relayProbeMs: 0 turns the probe off', async () => {
    const s = screen({ relayProbeMs: 0, pollingGraceMs: 60 * MINUTE });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    relay.kill();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(relay.probes).toEqual([]);
  });
});
