import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createNetworkMonitor,
  type NetworkMonitorOptions,
  type NetworkState,
} from '../../../src/network/networkMonitor.js';
import { mswServer } from '../fakes/mswServer.js';
import { fakeTimers } from '../socket/fakes.js';

const CENTRAL = 'https://central.test/api/health/';
const RELAY = 'http://relay.test:3001';
const server = mswServer();
let up = { central: true, relay: true };
let probes: string[] = [];

function fakeWindow(onLine: boolean) {
  const target = new EventTarget();
  const listeners = new Set<string>();
  const win = {
    navigator: { onLine },
    listeners,
    addEventListener(type: string, fn: EventListener) {
      listeners.add(type);
      target.addEventListener(type, fn);
    },
    removeEventListener(type: string, fn: EventListener) {
      listeners.delete(type);
      target.removeEventListener(type, fn);
    },
    go(online: boolean) {
      win.navigator.onLine = online;
      target.dispatchEvent(new Event(online ? 'online' : 'offline'));
    },
  };
  return win;
}

function make(win: ReturnType<typeof fakeWindow>, overrides: Partial<NetworkMonitorOptions> = {}) {
  return createNetworkMonitor({
    centralHealthUrl: CENTRAL,
    relayUrl: RELAY,
    window: win,
    timers: fakeTimers,
    fetch: (input, init) => globalThis.fetch(input, init),
    intervalMs: 30_000,
    timeoutMs: 5_000,
    ...overrides,
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  up = { central: true, relay: true };
  probes = [];
  server.use(
    http.get(CENTRAL, () => {
      probes.push('central');
      return up.central ? HttpResponse.json({ ok: true }) : new HttpResponse(null, { status: 503 });
    }),
    http.get(`${RELAY}/health`, () => {
      probes.push('relay');
      return up.relay ? HttpResponse.json({ status: 'ok' }) : HttpResponse.error();
    }),
  );
});
afterEach(() => {
  vi.useRealTimers();
});

describe('network monitor', () => {
  it('is online when central answers, local when only the relay does, offline when neither', async () => {
    const monitor = make(fakeWindow(true));
    await expect(monitor.check()).resolves.toBe('online');
    up.central = false;
    await expect(monitor.check()).resolves.toBe('local');
    up.relay = false;
    await expect(monitor.check()).resolves.toBe('offline');
    expect(monitor.get()).toBe('offline');
  });

  it('counts a probe that outlives its timeout as down', async () => {
    server.use(http.get(CENTRAL, () => new Promise<Response>(() => {})));
    const monitor = make(fakeWindow(true));
    const result = monitor.check();
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(result).resolves.toBe('local');
  });

  it('trusts navigator.onLine = false without probing', async () => {
    const monitor = make(fakeWindow(false));
    expect(monitor.get()).toBe('offline');
    await expect(monitor.check()).resolves.toBe('offline');
    expect(probes).toEqual([]);
  });

  it('listens and probes only while subscribed, and follows online/offline events', async () => {
    const win = fakeWindow(true);
    const monitor = make(win);
    expect(win.listeners.size).toBe(0);
    const seen: NetworkState[] = [];
    const unsubscribe = monitor.subscribe((state) => seen.push(state));
    expect([...win.listeners].sort()).toEqual(['offline', 'online']);
    up.central = false;
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['online', 'local']);

    win.go(false);
    expect(monitor.get()).toBe('offline');
    up.central = true;
    win.go(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['online', 'local', 'offline', 'online']);

    up.relay = false;
    up.central = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(monitor.get()).toBe('offline');

    unsubscribe();
    expect(win.listeners.size).toBe(0);
    const count = probes.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(probes).toHaveLength(count);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("works with subscribe and get unbound, as React's useSyncExternalStore calls them", async () => {
    const win = fakeWindow(true);
    const { subscribe, get } = make(win);
    const seen: NetworkState[] = [];
    const unsubscribe = subscribe((state) => seen.push(state));
    await vi.advanceTimersByTimeAsync(0);
    expect(probes).toEqual(['central', 'relay']);
    expect(get()).toBe('online');
    unsubscribe();
    expect(win.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a central URL, lets the browser speak for central', async () => {
    const monitor = make(fakeWindow(true), { centralHealthUrl: undefined });
    await expect(monitor.check()).resolves.toBe('online');
    expect(probes).toEqual(['relay']);
  });
});
