import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RelaySocketOptions } from '../../../src/socket/localTransport.js';
import { FakeRelaySocket, resetFakes, socketServices } from './fakes.js';

// The relay's address as a team writes it for a WebSocket: `wss://`. socket.io takes it, but
// fetch cannot open it: the polling fallback and the probe must use its https:// twin.
const requested: string[] = [];
const sockets: string[] = [];

const io = (url: string, options: RelaySocketOptions) => {
  sockets.push(url);
  return FakeRelaySocket.refusing(url, options);
};

const fetch = async (input: RequestInfo | URL): Promise<Response> => {
  requested.push(String(input));
  return Response.json({ events: [], head: 0, epoch: 'e' });
};

const services = socketServices({
  relayUrl: 'wss://relay.outlet.test:3001/',
  token: 'tok',
  io,
  fetch,
});

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  resetFakes();
  requested.length = 0;
  sockets.length = 0;
});

describe('a wss:// relay URL', () => {
  it('is reached over https:// by the socket, the polls and the probe', async () => {
    const s = services.make({ pollingGraceMs: 1_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sockets[0]).toBe('https://relay.outlet.test:3001');
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(url).toMatch(/^https:\/\/relay\.outlet\.test:3001\//);
    expect(requested.some((url) => url.includes('/api/events'))).toBe(true);
  });
});
