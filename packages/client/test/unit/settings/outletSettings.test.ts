import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  loadOutletSettings,
  type OutletSettingsOptions,
  parseOutletSettings,
  socketOptionsFromSettings,
} from '../../../src/settings/outletSettings.js';
import { mswServer } from '../fakes/mswServer.js';
import { fakeTimers } from '../socket/fakes.js';

const API = 'https://central.test';
const server = mswServer();
let answer: () => Response;
let asked: string[] = [];

class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const good = {
  id: 1,
  name: 'Yogya Mall',
  websocket_url: 'wss://central.test/ws/outlet/1/',
  relay_url: 'ws://192.168.1.10:3001/',
  relay_token: 'jwt-1',
  tenants: [{ id: 3 }],
};

function load(storage: MemoryStorage, overrides: Partial<OutletSettingsOptions> = {}) {
  return loadOutletSettings({
    outletId: 1,
    apiUrl: `${API}/`,
    storage,
    timers: fakeTimers,
    now: () => 1_000,
    fetch: (input, init) => globalThis.fetch(input, init),
    ...overrides,
  });
}

beforeEach(() => {
  asked = [];
  answer = () => HttpResponse.json(good);
  server.use(
    http.get(`${API}/api/tenants/outlets/:id/`, ({ request }) => {
      asked.push(request.url);
      return answer();
    }),
  );
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outlet settings', () => {
  it('reads the outlet, passes the query, and caches the answer per outlet and query', async () => {
    const storage = new MemoryStorage();
    const settings = await load(storage, { query: { tenant: 3, device: 'kds-1' } });
    expect(asked).toEqual([`${API}/api/tenants/outlets/1/?tenant=3&device=kds-1`]);
    expect(settings).toEqual({
      outletId: 1,
      name: 'Yogya Mall',
      centralWsUrl: 'wss://central.test/ws/outlet/1/',
      relayUrl: 'ws://192.168.1.10:3001/',
      relayToken: 'jwt-1',
      source: 'network',
      fetchedAt: 1_000,
      error: null,
    });
    expect([...storage.items.keys()]).toEqual([
      'kitchen-sync:outlet-settings:1?tenant=3&device=kds-1',
    ]);
  });

  it('starts offline from the last good answer', async () => {
    const storage = new MemoryStorage();
    await load(storage);
    answer = () => HttpResponse.error();
    const settings = await load(storage, { now: () => 9_000 });
    expect(settings).toMatchObject({ source: 'cache', fetchedAt: 1_000, relayToken: 'jwt-1' });
    expect(settings.error?.code).toBe('network');
  });

  it('never caches an invalid answer and names the bad field', async () => {
    const storage = new MemoryStorage();
    await load(storage);
    answer = () =>
      HttpResponse.json({ ...good, relay_url: 'javascript:alert(1)', relay_token: 'other' });
    const settings = await load(storage);
    expect(settings).toMatchObject({ source: 'cache', relayToken: 'jwt-1' });
    expect(settings.error).toMatchObject({
      code: 'malformed_response',
      details: { field: 'relay_url' },
    });
  });

  it('falls back to the configured defaults, filling what the answer lacks', async () => {
    const defaults = { relayUrl: 'http://localhost:3001' };
    answer = () => new HttpResponse('<html>bad gateway</html>', { status: 502 });
    const fallback = await load(new MemoryStorage(), { defaults });
    expect(fallback).toMatchObject({
      source: 'default',
      relayUrl: 'http://localhost:3001',
      fetchedAt: null,
    });
    expect(fallback.error).toMatchObject({ code: 'http', details: { status: 502 } });

    answer = () => HttpResponse.json({ name: 'Only name' });
    const partial = await load(new MemoryStorage(), { defaults });
    expect(partial).toMatchObject({
      source: 'network',
      name: 'Only name',
      relayUrl: 'http://localhost:3001',
    });
  });

  it('rejects with the cause when there is no cache and no default', async () => {
    answer = () =>
      new HttpResponse('not json', { headers: { 'content-type': 'application/json' } });
    await expect(load(new MemoryStorage())).rejects.toMatchObject({ code: 'malformed_response' });
  });

  it('times out a central API that does not answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    server.use(http.get(`${API}/api/tenants/outlets/:id/`, () => new Promise<Response>(() => {})));
    const result = load(new MemoryStorage(), { timeoutMs: 2_000 });
    const settled = expect(result).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(2_000);
    await settled;
  });

  it('ignores a corrupt cache entry', async () => {
    const storage = new MemoryStorage();
    storage.setItem('kitchen-sync:outlet-settings:1', '{"body":{"relay_url":42}}');
    answer = () => HttpResponse.error();
    await expect(load(storage, { defaults: {} })).resolves.toMatchObject({ source: 'default' });
  });

  it('gives the socket service its URLs and token, ws:// relay turned into http://', async () => {
    const settings = await load(new MemoryStorage());
    const { centralWsUrl, onCentralUnauthorized, ...rest } = socketOptionsFromSettings(settings);
    expect(rest).toEqual({ outletId: 1, relayUrl: 'http://192.168.1.10:3001', token: 'jwt-1' });
    // Asked at every connect, so the URL a refresh after central's 4401 brings is used.
    expect(typeof centralWsUrl === 'function' && centralWsUrl()).toBe(
      'wss://central.test/ws/outlet/1/',
    );
    expect(onCentralUnauthorized).toBeTypeOf('function');
  });

  it('parseOutletSettings refuses what is not an object', () => {
    expect(() => parseOutletSettings([])).toThrow(
      expect.objectContaining({ code: 'malformed_response' }),
    );
    expect(() => parseOutletSettings({ relay_token: 5 })).toThrow(
      expect.objectContaining({ details: { field: 'relay_token' } }),
    );
  });
});
