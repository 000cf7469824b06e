import {
  Disposables,
  type EnvironmentOptions,
  isOnline,
  resolveEnvironment,
} from '../lib/environment.js';
import { httpRelayUrl } from '../socket/relayAddress.js';
import { type Readable, writable } from '../store.js';

/**
 * `online`: the central backend answers. `local`: only the LAN relay does ("sync only": orders
 * flow to the kitchen, the cloud catches up later). `offline`: neither.
 */
export type NetworkState = 'online' | 'local' | 'offline';

export interface NetworkMonitorOptions extends EnvironmentOptions {
  /** Central health URL. Without it the browser's `navigator.onLine` stands in for central. */
  centralHealthUrl?: string | undefined;
  /** Relay base URL; `/health` is probed. */
  relayUrl?: string | undefined;
  /** Probe interval while subscribed. Default 30 s. */
  intervalMs?: number | undefined;
  /** A probe slower than this counts as down. Default 5 s. */
  timeoutMs?: number | undefined;
}

export interface NetworkMonitor extends Readable<NetworkState> {
  /** Probes now; concurrent calls share one round of probes. */
  check(): Promise<NetworkState>;
}

export function createNetworkMonitor(options: NetworkMonitorOptions = {}): NetworkMonitor {
  const env = resolveEnvironment(options);
  const { timers } = env;
  const intervalMs = options.intervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const relayHealthUrl = options.relayUrl ? `${httpRelayUrl(options.relayUrl)}/health` : undefined;
  let inFlight: Promise<NetworkState> | null = null;

  const probe = async (url: string): Promise<boolean> => {
    const abort = new AbortController();
    const timer = timers.setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await env.fetch(url, { signal: abort.signal, cache: 'no-store' });
      return response.ok;
    } catch {
      return false;
    } finally {
      timers.clearTimeout(timer);
    }
  };

  const probeAll = async (): Promise<NetworkState> => {
    // The browser knows when there is no network at all; no probe can succeed then.
    if (!isOnline(env)) return 'offline';
    const [central, relay] = await Promise.all([
      options.centralHealthUrl ? probe(options.centralHealthUrl) : Promise.resolve(true),
      relayHealthUrl ? probe(relayHealthUrl) : Promise.resolve(false),
    ]);
    return central ? 'online' : relay ? 'local' : 'offline';
  };

  const check = (): Promise<NetworkState> => {
    inFlight ??= probeAll().then((next) => {
      inFlight = null;
      // navigator may have gone offline while the probes ran.
      const state = isOnline(env) ? next : 'offline';
      store.set(state);
      return state;
    });
    return inFlight;
  };

  const store = writable<NetworkState>(isOnline(env) ? 'online' : 'offline', () => {
    const disposables = new Disposables();
    disposables.listen(env.window, 'online', () => void check());
    disposables.listen(env.window, 'offline', () => store.set('offline'));
    const interval = timers.setInterval(() => void check(), intervalMs);
    disposables.add(() => timers.clearInterval(interval));
    void check();
    return () => disposables.dispose();
  });

  return { subscribe: store.subscribe, get: store.get, check };
}
