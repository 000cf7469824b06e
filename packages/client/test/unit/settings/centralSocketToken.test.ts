import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  loadOutletSettings,
  type OutletSettingsOptions,
  socketOptionsFromSettings,
} from '../../../src/settings/outletSettings.js';
import { mswServer } from '../fakes/mswServer.js';
import { FakeWebSocket, fakeTimers, resetFakes, socketServices } from '../socket/fakes.js';

// The wiring docs/ give every screen (loadOutletSettings → socketOptionsFromSettings →
// createSocketService) gets a new socket token by itself when central refuses the old one.
const API = 'https://central.test';
const server = mswServer();
const services = socketServices({
  WebSocket: (url) => FakeWebSocket.factory(url),
  reconnect: { min: 1_000, max: 8_000, factor: 2, jitter: 0.5 },
  page: null,
  permissions: null,
});
const CACHE_KEY = 'kitchen-sync:outlet-settings:1?tenant=3&device=kds-1';

class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

/** The settings view's answer: central's socket with a token signed for this kitchen. */
const withToken = (token: string) => ({
  name: 'Yogya Mall',
  websocket_url: `wss://central.test/ws/outlet/1/?tenant=3&token=${token}`,
});

let answer: () => Response;
let asked = 0;

function load(storage: MemoryStorage, overrides: Partial<OutletSettingsOptions> = {}) {
  return loadOutletSettings({
    outletId: 1,
    apiUrl: API,
    query: { tenant: 3, device: 'kds-1' },
    storage,
    timers: fakeTimers,
    fetch: (input, init) => globalThis.fetch(input, init),
    ...overrides,
  });
}

/** The token in each central socket's URL, in the order they were opened. */
const dialledTokens = () =>
  FakeWebSocket.instances.map((ws) => new URL(ws.url).searchParams.get('token'));

/** Central accepts the latest socket, then closes it for its token. */
function refuseLatest(): void {
  FakeWebSocket.latest().serverOpen();
  FakeWebSocket.latest().serverClose(4401);
}

beforeEach(() => {
  resetFakes();
  asked = 0;
  answer = () => HttpResponse.json(withToken('t1'));
  server.use(
    http.get(`${API}/api/tenants/outlets/:id/`, () => {
      asked++;
      return answer();
    }),
  );
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outlet settings after central refuses the socket token (4401)', () => {
  it('are fetched again and the socket dials the new URL, which the cache keeps', async () => {
    const storage = new MemoryStorage();
    const s = services.make(socketOptionsFromSettings(await load(storage)));
    vi.useFakeTimers({ now: 0 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    answer = () => HttpResponse.json(withToken('t2'));
    refuseLatest();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(asked).toBe(2);
    expect(dialledTokens()).toEqual(['t1', 't2']);
    FakeWebSocket.latest().serverOpen();
    expect(s.status.get()).toMatchObject({ centralConnected: true, error: null });
    // A reload that starts offline starts from the token that works.
    expect(storage.getItem(CACHE_KEY)).toContain('token=t2');
  });

  it('a screen that started offline from the cache refreshes from the network', async () => {
    const storage = new MemoryStorage();
    await load(storage);
    answer = () => HttpResponse.error();
    const settings = await load(storage);
    expect(settings.source).toBe('cache');
    const s = services.make(socketOptionsFromSettings(settings));
    vi.useFakeTimers({ now: 0 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    answer = () => HttpResponse.json(withToken('t2'));
    refuseLatest();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(dialledTokens()).toEqual(['t1', 't2']);
  });

  it('never takes the cache for a refresh: unreachable, the refused URL stays and so does the error', async () => {
    const storage = new MemoryStorage();
    const s = services.make(socketOptionsFromSettings(await load(storage)));
    // Another tab's older answer: a refresh that fell back to it would dial t0.
    storage.setItem(CACHE_KEY, JSON.stringify({ body: withToken('t0'), fetchedAt: 1 }));
    vi.useFakeTimers({ now: 0 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    answer = () => HttpResponse.error();
    refuseLatest();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(asked).toBe(2);
    expect(dialledTokens()).toEqual(['t1', 't1']);
    expect(s.status.get().error?.code).toBe('unauthorized');
  });

  it('settings that came from defaults alone (no apiUrl) have nothing to refresh from', async () => {
    const url = 'wss://central.test/ws/outlet/1/?token=configured';
    const settings = await load(new MemoryStorage(), {
      apiUrl: undefined,
      defaults: { centralWsUrl: url },
    });
    expect(socketOptionsFromSettings(settings)).toEqual({ outletId: 1, centralWsUrl: url });
  });
});
