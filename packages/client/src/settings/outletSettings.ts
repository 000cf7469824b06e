import { KitchenSyncError } from '../errors.js';
import { type EnvironmentOptions, resolveEnvironment } from '../lib/environment.js';
import { httpRelayUrl } from '../socket/relayAddress.js';
import type { SocketServiceOptions } from '../socket/socketService.js';

/**
 * What `GET /api/tenants/outlets/{id}/` answers (other fields are ignored):
 * `websocket_url` the central Django Channels socket of the outlet (full URL; a bare origin is
 * the relay, see `websocketUrlKind`), `relay_url` the LAN relay base (http(s) or ws(s)),
 * `relay_token` the relay JWT, `name`.
 */
export interface OutletSettingsResponse {
  name?: string | null;
  websocket_url?: string | null;
  relay_url?: string | null;
  relay_token?: string | null;
}

export interface OutletSettings {
  outletId: string | number;
  name: string | null;
  centralWsUrl: string | null;
  relayUrl: string | null;
  relayToken: string | null;
  /** `network`: fresh; `cache`: the last good answer (offline start); `default`: configured. */
  source: 'network' | 'cache' | 'default';
  /** When the central API gave these settings (ms), null for defaults. */
  fetchedAt: number | null;
  /** Why the fresh answer was not used, when `source` is not `network`. */
  error: KitchenSyncError | null;
}

type SettingsFields = Pick<OutletSettings, 'name' | 'centralWsUrl' | 'relayUrl' | 'relayToken'>;

export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * What the answer's `websocket_url` is. `auto`: the relay when it is a bare origin
 * (`ws://192.168.1.10:3001`, what the field held before `relay_url` existed), else central's
 * socket; `relay`, `central`: always that. A `relay_url` in the answer is the relay either way.
 */
export type WebsocketUrlKind = 'auto' | 'relay' | 'central';

export interface OutletSettingsOptions extends EnvironmentOptions {
  outletId: string | number;
  /**
   * Central API base, e.g. `https://api.example.com`; `'/'` for the page's own origin. Absent
   * or `''`: no central backend; nothing is fetched and the settings come from `defaults`.
   */
  apiUrl?: string | undefined;
  /** Extra query, e.g. `{ tenant: 3, device: 'kds-1' }`. Part of the cache key. */
  query?: Record<string, string | number> | undefined;
  /** e.g. the central API's `Authorization` header. */
  headers?: Record<string, string> | undefined;
  /** Where the last good answer is kept. Default `localStorage`; `null` disables the cache. */
  storage?: SettingsStorage | null | undefined;
  /** Used for fields the answer lacks, and alone when neither network nor cache has any. */
  defaults?: Partial<SettingsFields> | undefined;
  /** Default 8 s. */
  timeoutMs?: number | undefined;
  /** What the answer's `websocket_url` is. Default `auto`. */
  websocketUrlKind?: WebsocketUrlKind | undefined;
}

const URL_PROTOCOLS = new Set(['ws:', 'wss:', 'http:', 'https:']);

function urlField(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  try {
    if (typeof value === 'string' && URL_PROTOCOLS.has(new URL(value).protocol)) return value;
  } catch {
    // Not a URL at all: reported below like any other bad value.
  }
  throw new KitchenSyncError('malformed_response', `${field} must be a ws(s) or http(s) URL`, {
    field,
  });
}

function textField(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  throw new KitchenSyncError('malformed_response', `${field} must be a string`, { field });
}

/**
 * Validates the central API's answer; throws `malformed_response` naming the bad field.
 * `websocketUrlKind` as in `loadOutletSettings` (default `auto`).
 */
export function parseOutletSettings(
  body: unknown,
  websocketUrlKind?: WebsocketUrlKind,
): SettingsFields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new KitchenSyncError('malformed_response', 'outlet settings must be a JSON object');
  }
  const b = body as OutletSettingsResponse;
  const websocketUrl = urlField(b.websocket_url, 'websocket_url');
  // Before `relay_url`, Outlet.websocket_url held the LAN relay: read as central's socket, the
  // kitchen would wait on "Connecting to central…" and never reach the relay. A bare origin
  // (nothing after the port but `/`) is never central's: its Channels routes all have a path.
  const url = websocketUrl && new URL(websocketUrl);
  const isRelay =
    websocketUrlKind === 'relay' ||
    (websocketUrlKind !== 'central' && !!url && url.pathname === '/' && !url.search && !url.hash);
  return {
    name: textField(b.name, 'name'),
    centralWsUrl: isRelay ? null : websocketUrl,
    relayUrl: urlField(b.relay_url, 'relay_url') ?? (isRelay ? websocketUrl : null),
    relayToken: textField(b.relay_token, 'relay_token'),
  };
}

// What loadOutletSettings returned, and how to ask the network again for the same outlet:
// kept beside the settings rather than in them, so they stay plain data (cloneable, comparable).
const reloads = new WeakMap<OutletSettings, () => Promise<OutletSettings>>();

function defaultStorage(): SettingsStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage access throws in some privacy modes; the app still starts, only uncached.
    return null;
  }
}

export async function loadOutletSettings(options: OutletSettingsOptions): Promise<OutletSettings> {
  const settings = await load(options);
  // A token in them that central refuses later is replaced from the network, never the cache.
  if (options.apiUrl) reloads.set(settings, () => load(options, true));
  return settings;
}

/** `fresh`: the network's answer or its error, never the cache or the defaults. */
async function load(options: OutletSettingsOptions, fresh?: boolean): Promise<OutletSettings> {
  const env = resolveEnvironment(options);
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const query = new URLSearchParams(
    Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)]),
  ).toString();
  const id = encodeURIComponent(String(options.outletId));
  const url = `${(options.apiUrl ?? '').replace(/\/+$/, '')}/api/tenants/outlets/${id}/${query ? `?${query}` : ''}`;
  const cacheKey = `kitchen-sync:outlet-settings:${id}${query ? `?${query}` : ''}`;
  const defaults: SettingsFields = {
    name: null,
    centralWsUrl: null,
    relayUrl: null,
    relayToken: null,
    ...options.defaults,
  };
  const build = (
    fields: SettingsFields,
    source: OutletSettings['source'],
    fetchedAt: number | null,
    error: KitchenSyncError | null,
  ): OutletSettings => ({
    outletId: options.outletId,
    name: fields.name ?? defaults.name,
    centralWsUrl: fields.centralWsUrl ?? defaults.centralWsUrl,
    relayUrl: fields.relayUrl ?? defaults.relayUrl,
    relayToken: fields.relayToken ?? defaults.relayToken,
    source,
    fetchedAt,
    error,
  });

  if (!options.apiUrl) {
    // No central backend (a LAN-only outlet, or development without one): asking the page's
    // own origin would only log a 404 on every load.
    if (options.defaults) return build(defaults, 'default', null, null);
    throw new KitchenSyncError('not_configured', 'no apiUrl and no defaults');
  }

  let error: KitchenSyncError;
  const abort = new AbortController();
  const timer = env.timers.setTimeout(() => abort.abort(), options.timeoutMs ?? 8_000);
  try {
    const response = await env.fetch(url, {
      headers: { accept: 'application/json', ...options.headers },
      signal: abort.signal,
    });
    if (!response.ok) {
      throw new KitchenSyncError('http', `outlet settings answered ${response.status}`, {
        status: response.status,
      });
    }
    const body = (await response.json()) as OutletSettingsResponse;
    const fields = parseOutletSettings(body, options.websocketUrlKind);
    const fetchedAt = env.now();
    const { name, websocket_url, relay_url, relay_token } = body;
    try {
      storage?.setItem(
        cacheKey,
        JSON.stringify({ body: { name, websocket_url, relay_url, relay_token }, fetchedAt }),
      );
    } catch {
      // A full or blocked storage only costs the offline start, not this one.
    }
    return build(fields, 'network', fetchedAt, null);
  } catch (cause) {
    error =
      cause instanceof KitchenSyncError
        ? cause
        : abort.signal.aborted
          ? new KitchenSyncError('timeout', 'outlet settings timed out')
          : cause instanceof SyntaxError
            ? new KitchenSyncError('malformed_response', 'outlet settings are not JSON')
            : new KitchenSyncError('network', 'outlet settings unreachable', { cause });
  } finally {
    env.timers.clearTimeout(timer);
  }
  if (fresh) throw error;

  try {
    const raw = storage?.getItem(cacheKey);
    if (raw) {
      const cached = JSON.parse(raw) as { body?: unknown; fetchedAt?: unknown };
      // Re-validated: storage is writable by anything on the origin.
      const fields = parseOutletSettings(cached.body, options.websocketUrlKind);
      const fetchedAt = typeof cached.fetchedAt === 'number' ? cached.fetchedAt : null;
      return build(fields, 'cache', fetchedAt, error);
    }
  } catch {
    // A corrupt cache entry is as good as none.
  }
  if (options.defaults) return build(defaults, 'default', null, error);
  throw error;
}

/**
 * The part of `createSocketService` options the settings decide. Given the settings
 * `loadOutletSettings` returned (from an `apiUrl`), central's socket URL is asked for at every
 * connect and, when central refuses its token (4401), fetched again from the network.
 */
export function socketOptionsFromSettings(
  settings: OutletSettings,
): Pick<
  SocketServiceOptions,
  'outletId' | 'centralWsUrl' | 'onCentralUnauthorized' | 'relayUrl' | 'token'
> {
  const reload = reloads.get(settings);
  let centralWsUrl = settings.centralWsUrl;
  return {
    outletId: settings.outletId,
    ...(centralWsUrl
      ? reload
        ? {
            centralWsUrl: () => centralWsUrl as string,
            onCentralUnauthorized: async () => {
              // An answer without a central socket keeps the refused URL: it is reported as before.
              centralWsUrl = (await reload()).centralWsUrl ?? centralWsUrl;
            },
          }
        : { centralWsUrl }
      : {}),
    ...(settings.relayUrl ? { relayUrl: httpRelayUrl(settings.relayUrl) } : {}),
    ...(settings.relayToken ? { token: settings.relayToken } : {}),
  };
}
