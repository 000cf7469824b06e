import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeRelaySocket, FakeWebSocket, resetFakes, socketServices } from './fakes.js';

let fetches: string[] = [];
const services = socketServices({
  io: FakeRelaySocket.factory,
  WebSocket: FakeWebSocket.factory,
  fetch: async (input) => {
    fetches.push(String(input));
    return Response.json(
      { error: { code: 'unauthorized', message: 'a token is required' } },
      {
        status: 401,
      },
    );
  },
  page: null,
  permissions: null,
  pollingGraceMs: 3_000,
  reconnect: { min: 1_000, max: 30_000, jitter: 0 },
});
const make = services.make;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-03T10:00:00Z') });
  resetFakes();
  fetches = [];
});

describe('not_configured', () => {
  it('neither a relay nor central: says so, instead of "Connecting to central…"', async () => {
    const s = make();
    s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeRelaySocket.instances).toEqual([]);
    expect(FakeWebSocket.instances).toEqual([]);
    expect(fetches).toEqual([]);
    expect(s.status.get()).toMatchObject({
      mode: 'disconnected',
      isPolling: false,
      error: { code: 'not_configured' },
    });
    expect(s.status.get().reason).not.toMatch(/Connecting/);
    expect(s.status.get().reason).toMatch(/No relay or central address/);
  });

  it('either address alone is configured: no not_configured', () => {
    const relayOnly = make({ relayUrl: 'http://192.168.1.10:3001', token: 'tok' });
    relayOnly.start();
    expect(relayOnly.status.get()).toMatchObject({
      error: null,
      reason: 'Connecting to the relay…',
    });
    relayOnly.stop();
    const centralOnly = make({ centralWsUrl: 'wss://api.example.com/ws/outlet/1/' });
    centralOnly.start();
    expect(centralOnly.status.get()).toMatchObject({
      error: null,
      reason: 'Connecting to central…',
    });
  });
});

describe('relay_token_missing', () => {
  it('a relay that wants a token from a device that has none: coded, not "sign in again"', async () => {
    const s = make({ relayUrl: 'http://192.168.1.10:3001' });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('unauthorized');
    expect(s.status.get().error).toMatchObject({
      code: 'relay_token_missing',
      details: { cause: { code: 'unauthorized' } },
    });
    expect(s.status.get().reason).toMatch(/relay_token/);

    // The polls the fallback starts are refused (401) the same way.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fetches.length).toBeGreaterThan(0);
    expect(s.status.get()).toMatchObject({
      isPolling: true,
      pollConnected: false,
      error: { code: 'relay_token_missing' },
    });
  });

  it('a device with a token that is refused is still unauthorized', async () => {
    const s = make({ relayUrl: 'http://192.168.1.10:3001', token: 'expired' });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('unauthorized');
    expect(s.status.get().error?.code).toBe('unauthorized');
  });

  it('a relay run with --insecure-no-auth takes a device without a token: no error', async () => {
    const s = make({ relayUrl: 'http://192.168.1.10:3001' });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().accept();
    expect(s.status.get()).toMatchObject({ mode: 'connected', error: null, reason: null });
  });
});
