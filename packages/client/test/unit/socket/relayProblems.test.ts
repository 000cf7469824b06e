import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PermissionsLike } from '../../../src/socket/localNetworkAccess.js';
import { FakeRelaySocket, FakeWebSocket, resetFakes, socketServices } from './fakes.js';

const HTTPS_PAGE = { href: 'https://pos.example.com/kiosk/', isSecureContext: true };
const LAN_PAGE = { href: 'http://192.168.1.10:5173/', isSecureContext: false };

let fetches: string[] = [];
const services = socketServices({
  relayUrl: 'https://relay.outlet.test:3443',
  token: 'tok',
  io: FakeRelaySocket.factory,
  WebSocket: FakeWebSocket.factory,
  fetch: (input) => {
    fetches.push(String(input));
    return new Promise<Response>(() => {});
  },
  page: HTTPS_PAGE,
  permissions: null,
  pollingGraceMs: 3_000,
  reconnect: { min: 1_000, max: 30_000, jitter: 0 },
});
const make = services.make;

/** The browser's Permissions API, with the state the test sets; only the names Chromium knows. */
function fakePermissions(initial: PermissionState) {
  const target = new EventTarget();
  const status = {
    state: initial,
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
  };
  const asked: string[] = [];
  const permissions: PermissionsLike = {
    async query({ name }) {
      asked.push(name);
      if (name !== 'local-network-access') {
        throw new TypeError(`'${name}' is not a valid enum value of type PermissionName`);
      }
      return status;
    },
  };
  return {
    permissions,
    asked,
    set(state: PermissionState) {
      status.state = state;
      target.dispatchEvent(new Event('change'));
    },
  };
}

/** What socket.io-client raises in Node when `ws` rejects the relay's certificate. */
function tlsFailure(code: string): Error {
  const cause = Object.assign(new Error('self-signed certificate'), { code });
  return Object.assign(new Error('websocket error'), {
    type: 'TransportError',
    description: { type: 'error', error: cause, message: cause.message },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-03T10:00:00Z') });
  resetFakes();
  fetches = [];
});

describe('relay_insecure_url', () => {
  it('an https page with an http:// relay: coded at once, no socket, no poll, ever', async () => {
    const s = make({ centralUrl: undefined, relayUrl: 'http://192.168.1.10:3001' });
    s.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeRelaySocket.instances).toHaveLength(0);
    expect(fetches).toEqual([]);
    expect(s.status.get()).toMatchObject({
      mode: 'disconnected',
      isPolling: false,
      error: { code: 'relay_insecure_url', details: { relayUrl: 'http://192.168.1.10:3001' } },
    });
    expect(s.status.get().reason).toMatch(/https:\/\//);
    s.connectLocal();
    s.startPolling();
    expect(FakeRelaySocket.instances).toHaveLength(0);
    expect(fetches).toEqual([]);
  });

  it('ws:// counts too, and central still connects: the mode says the relay is missing', async () => {
    const s = make({ centralUrl: 'https://central.test', relayUrl: 'ws://relay.lan:3001' });
    s.start();
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({
      mode: 'central_only',
      centralConnected: true,
      error: { code: 'relay_insecure_url' },
    });
  });

  it('an http://localhost page (a secure context, not https) may use an http:// LAN relay', async () => {
    const s = make({
      centralUrl: undefined,
      relayUrl: 'http://192.168.1.10:3001',
      page: { href: 'http://localhost:5173/', isSecureContext: true },
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().accept();
    expect(s.status.get()).toMatchObject({ mode: 'connected', error: null });
  });

  it('a loopback relay is potentially trustworthy, and an http page may use http', async () => {
    make({ centralUrl: undefined, relayUrl: 'http://127.0.0.1:3001' }).start();
    make({ centralUrl: undefined, relayUrl: 'http://localhost:3001' }).start();
    make({ centralUrl: undefined, relayUrl: 'http://192.168.1.10:3001', page: LAN_PAGE }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeRelaySocket.instances.map((s) => s.url)).toEqual([
      'http://127.0.0.1:3001',
      'http://localhost:3001',
      'http://192.168.1.10:3001',
    ]);
  });
});

describe('local network access', () => {
  it('denied: said before the first attempt; a grant in the site settings retries at once', async () => {
    const lna = fakePermissions('denied');
    const s = make({ centralUrl: undefined, permissions: lna.permissions });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error?.code).toBe('local_network_denied');
    expect(s.status.get().reason).toMatch(/local network/i);
    const relay = FakeRelaySocket.latest();
    relay.refuse('websocket error');
    expect(s.status.get().error?.code).toBe('local_network_denied');
    expect(relay.attempts).toHaveLength(1);

    lna.set('granted');
    await vi.advanceTimersByTimeAsync(0);
    // Not after the 1 s backoff: at once.
    expect(relay.attempts).toHaveLength(2);
    relay.accept();
    expect(s.status.get()).toMatchObject({ mode: 'connected', error: null, reason: null });
    expect(lna.asked).toEqual(['local-network-access', 'local-network']);
  });

  it('prompt: a failed attempt is explained as waiting for the user', async () => {
    const lna = fakePermissions('prompt');
    const s = make({ centralUrl: undefined, permissions: lna.permissions });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error).toBeNull();
    FakeRelaySocket.latest().refuse('websocket error');
    expect(s.status.get().error?.code).toBe('local_network_prompt');
    lna.set('denied');
    expect(s.status.get().error?.code).toBe('local_network_denied');
  });

  it('prompt, after the relay answered (split DNS): a relay that goes down is unreachable', async () => {
    const lna = fakePermissions('prompt');
    const s = make({ centralUrl: undefined, permissions: lna.permissions });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    relay.drop();
    relay.refuse('websocket error');
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    expect(s.status.get().reason).not.toMatch(/local network/i);
  });

  it('denied, after the relay answered under the denial: a relay that goes down is unreachable', async () => {
    const lna = fakePermissions('denied');
    const s = make({ centralUrl: undefined, permissions: lna.permissions });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const relay = FakeRelaySocket.latest();
    relay.accept();
    relay.drop();
    relay.refuse('websocket error');
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    // Denied anew in the site settings: that denial is the cause again.
    lna.set('granted');
    lna.set('denied');
    expect(s.status.get().error?.code).toBe('local_network_denied');
  });

  it('a public page that is not a secure context is never asked (Chromium answers denied there)', async () => {
    const lna = fakePermissions('denied');
    const s = make({
      centralUrl: undefined,
      relayUrl: 'http://relay.outlet.test:3001',
      page: { href: 'http://pos.outlet.test:5173/', isSecureContext: false },
      permissions: lna.permissions,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get().error).toBeNull();
    FakeRelaySocket.latest().refuse('websocket error');
    expect(s.status.get().error).toMatchObject({
      code: 'relay_unreachable',
      details: { possibleCauses: expect.arrayContaining(['local_network_blocked']) },
    });
    expect(lna.asked).toEqual([]);
  });

  it('a relay on this machine (one PC, cloud page) is asked about under loopback-network', async () => {
    const lna = fakePermissions('prompt');
    make({
      centralUrl: undefined,
      relayUrl: 'https://localhost:3443',
      permissions: lna.permissions,
    }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(lna.asked).toEqual(['local-network-access', 'loopback-network']);
  });

  it('a page served on the LAN (or by the relay) is never asked: its failures are unreachable', async () => {
    const lna = fakePermissions('denied');
    const s = make({
      centralUrl: undefined,
      page: { href: 'https://relay.outlet.test:3443/kiosk/', isSecureContext: true },
      permissions: lna.permissions,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('websocket error');
    expect(s.status.get().error?.code).toBe('relay_unreachable');
    expect(lna.asked).toEqual([]);
  });
});

describe('relay_unreachable and relay_untrusted', () => {
  it('a connect error below the protocol: unreachable, with the causes to check and /setup', async () => {
    const s = make({ centralUrl: undefined });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('websocket error');
    const { error, reason, mode } = s.status.get();
    expect(mode).toBe('disconnected');
    expect(error?.code).toBe('relay_unreachable');
    expect(error?.details).toMatchObject({
      // A public page and no Permissions API to ask: Local Network Access may be blocking too.
      possibleCauses: [
        'relay_down',
        'wrong_address',
        'network_down',
        'certificate_untrusted',
        'local_network_blocked',
      ],
      setupUrl: 'https://relay.outlet.test:3443/setup',
    });
    expect(reason).toContain('https://relay.outlet.test:3443/setup');
  });

  it('an http relay has no certificate to blame and no /setup link', async () => {
    const s = make({ centralUrl: undefined, relayUrl: 'http://192.168.1.10:3001', page: LAN_PAGE });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('websocket error');
    expect(s.status.get().error?.details).toMatchObject({
      possibleCauses: ['relay_down', 'wrong_address', 'network_down'],
    });
    expect(s.status.get().error?.details?.setupUrl).toBeUndefined();
  });

  it.each([
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
  ])('untrusted where the platform says so (%s)', async (code) => {
    const s = make({ centralUrl: undefined });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().fail(tlsFailure(code));
    expect(s.status.get().error).toMatchObject({
      code: 'relay_untrusted',
      details: { tlsCode: code, setupUrl: 'https://relay.outlet.test:3443/setup' },
    });
    expect(s.status.get().reason).toMatch(/certificate/);
  });

  it('polls failing with a network error are unreachable, with a TLS code untrusted', async () => {
    let failure: unknown = new TypeError('Failed to fetch');
    const s = make({
      centralUrl: undefined,
      io: undefined,
      fetch: () => Promise.reject(failure),
    });
    s.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status.get()).toMatchObject({
      mode: 'disconnected',
      isPolling: true,
      pollConnected: false,
      error: { code: 'relay_unreachable' },
    });
    failure = new TypeError('fetch failed', {
      cause: Object.assign(new Error('unable to verify'), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.status.get().error?.code).toBe('relay_untrusted');
  });
});

describe('status says what is true (issue 13 point 7)', () => {
  it('relay killed while central stays up: central_only with the relay cause, not "connected"', async () => {
    const s = make({ centralUrl: 'https://central.test' });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest().serverOpen();
    const relay = FakeRelaySocket.latest();
    relay.accept();
    expect(s.status.get().mode).toBe('connected');

    relay.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    relay.refuse('websocket error');
    expect(s.status.get()).toMatchObject({
      mode: 'central_only',
      centralConnected: true,
      localConnected: false,
      error: { code: 'relay_unreachable' },
    });
    expect(s.status.get().reason).toMatch(/relay cannot be reached/);

    // Central reconnecting must not wipe the relay's cause.
    FakeWebSocket.latest().serverClose();
    await vi.advanceTimersByTimeAsync(1_000);
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({
      mode: 'central_only',
      error: { code: 'relay_unreachable' },
    });

    await vi.advanceTimersByTimeAsync(2_000);
    relay.accept();
    expect(s.status.get()).toMatchObject({ mode: 'connected', error: null, reason: null });
  });

  it('a refused token: not "polling" while every poll is refused; the cause is unauthorized', async () => {
    const s = make({
      centralUrl: undefined,
      fetch: async () =>
        Response.json({ error: { code: 'unauthorized', message: 'bad token' } }, { status: 401 }),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeRelaySocket.latest().refuse('unauthorized');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(s.status.get()).toMatchObject({
      mode: 'disconnected',
      isPolling: true,
      pollConnected: false,
      error: { code: 'unauthorized' },
    });
    expect(s.status.get().reason).toMatch(/token/);
  });
});

describe('a relay that refuses new sockets', () => {
  it.each([
    { code: 'unavailable', reason: /shutting down/ },
    { code: 'rate_limited', reason: /over one of its limits/ },
  ])(
    '$code: its own sentence, retried with backoff until the relay takes the socket',
    async ({ code, reason }) => {
      const s = make({ centralUrl: undefined });
      s.start();
      await vi.advanceTimersByTimeAsync(0);
      const relay = FakeRelaySocket.latest();
      relay.refuse(code);
      expect(s.status.get()).toMatchObject({ mode: 'disconnected', error: { code } });
      expect(s.status.get().reason).toMatch(reason);
      expect(relay.attempts).toHaveLength(1);

      await vi.advanceTimersByTimeAsync(1_000);
      expect(relay.attempts).toHaveLength(2);
      relay.accept();
      expect(s.status.get()).toMatchObject({ mode: 'connected', error: null, reason: null });
    },
  );
});
