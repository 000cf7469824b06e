import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  loadOutletSettings,
  type OutletSettingsOptions,
  parseOutletSettings,
  socketOptionsFromSettings,
} from '../../../src/settings/outletSettings.js';
import { mswServer } from '../fakes/mswServer.js';
import {
  FakeRelaySocket,
  FakeWebSocket,
  fakeTimers,
  resetFakes,
  socketServices,
} from '../socket/fakes.js';

/**
 * Before `relay_url` existed, the chain's Outlet.websocket_url held the LAN sync server
 * (`ws://192.168.1.10:3001`, a bare origin); central's Channels route always has a path.
 */
const API = 'https://central.test';
const server = mswServer();
const services = socketServices({
  io: FakeRelaySocket.factory,
  WebSocket: FakeWebSocket.factory,
  fetch: () => new Promise<Response>(() => {}),
  page: null,
  permissions: null,
});

/** What the users' own OutletSerializer answers before the upgrade. */
const legacy = {
  id: 1,
  name: 'Yogya Mall Malioboro',
  websocket_url: 'ws://192.168.1.10:3001',
  address: 'Jl. Malioboro No.1',
  is_active: true,
};

class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

let answer: () => Response;

function load(overrides: Partial<OutletSettingsOptions> = {}) {
  return loadOutletSettings({
    outletId: 1,
    apiUrl: API,
    storage: null,
    timers: fakeTimers,
    now: () => 1_000,
    fetch: (input, init) => globalThis.fetch(input, init),
    ...overrides,
  });
}

beforeEach(() => {
  resetFakes();
  answer = () => HttpResponse.json(legacy);
  server.use(http.get(`${API}/api/tenants/outlets/:id/`, () => answer()));
});

describe('a legacy websocket_url (the relay, before relay_url existed)', () => {
  it('is the relay, kept as given, with no central socket', async () => {
    const settings = await load();
    expect(settings).toMatchObject({
      centralWsUrl: null,
      relayUrl: 'ws://192.168.1.10:3001',
      relayToken: null,
      source: 'network',
    });
    expect(socketOptionsFromSettings(settings)).toEqual({
      outletId: 1,
      relayUrl: 'http://192.168.1.10:3001',
    });
  });

  it('the socket service built from it dials the relay, never central', async () => {
    vi.useFakeTimers();
    const s = services.make(socketOptionsFromSettings(await load()));
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toEqual([]);
    expect(FakeRelaySocket.latest().url).toBe('http://192.168.1.10:3001');
    expect(s.status.get().reason).toMatch(/relay/);
  });

  it.each(['ws://192.168.1.10:3001/', 'wss://relay.outlet.lan:3001', 'http://localhost:3001'])(
    'any bare origin counts: %s',
    (url) => {
      expect(parseOutletSettings({ websocket_url: url })).toMatchObject({
        centralWsUrl: null,
        relayUrl: url,
      });
    },
  );

  it.each([
    // What integrations/django's OutletSettingsView hands out (routing.py: ws/outlet/<id>/).
    'wss://api.example.com/ws/outlet/1/?token=eyJ',
    'ws://192.168.1.10:8000/ws/outlet/1/',
    // Not bare: a query or fragment is not an origin either.
    'wss://api.example.com/?token=eyJ',
  ])('a URL with a path (or query) stays central: %s', (url) => {
    expect(parseOutletSettings({ websocket_url: url })).toMatchObject({
      centralWsUrl: url,
      relayUrl: null,
    });
  });

  it('relay_url wins, and a bare websocket_url beside it is not taken for central', () => {
    expect(
      parseOutletSettings({
        websocket_url: 'ws://192.168.1.10:3001',
        relay_url: 'https://192.168.1.10:3443',
        relay_token: 'jwt-1',
      }),
    ).toMatchObject({
      centralWsUrl: null,
      relayUrl: 'https://192.168.1.10:3443',
      relayToken: 'jwt-1',
    });
  });

  it("websocketUrlKind: 'central' keeps the old reading, for a central socket at the root", async () => {
    const settings = await load({ websocketUrlKind: 'central' });
    expect(settings).toMatchObject({ centralWsUrl: 'ws://192.168.1.10:3001', relayUrl: null });
  });

  it("websocketUrlKind: 'relay' takes any websocket_url for the relay, relay_url still first", () => {
    expect(
      parseOutletSettings({ websocket_url: 'wss://outlet.example/kitchen-sync/' }, 'relay'),
    ).toMatchObject({ centralWsUrl: null, relayUrl: 'wss://outlet.example/kitchen-sync/' });
    expect(
      parseOutletSettings(
        { websocket_url: 'ws://192.168.1.10:3001', relay_url: 'http://192.168.1.20:3001' },
        'relay',
      ),
    ).toMatchObject({ centralWsUrl: null, relayUrl: 'http://192.168.1.20:3001' });
  });

  it('an offline start reads the cached legacy answer the same way', async () => {
    const storage = new MemoryStorage();
    await load({ storage });
    answer = () => HttpResponse.error();
    const settings = await load({ storage });
    expect(settings).toMatchObject({
      source: 'cache',
      centralWsUrl: null,
      relayUrl: 'ws://192.168.1.10:3001',
    });
  });

  it('a websocket_url that is no URL is still malformed_response, naming the field', () => {
    expect(() => parseOutletSettings({ websocket_url: '192.168.1.10:3001' })).toThrow(
      expect.objectContaining({
        code: 'malformed_response',
        details: { field: 'websocket_url' },
      }),
    );
  });
});
