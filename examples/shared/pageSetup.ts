import {
  createNetworkMonitor,
  loadOutletSettings,
  type NetworkMonitor,
  type OutletSettings,
  type OutletSettingsOptions,
} from '@kitchen-sync/client';
import type { DemoConfig } from './demoConfig';
import { loadOnceReachable } from './firstContact';
import { showFirstContact } from './indicators';
import { loadTenants, type Tenant } from './tenants';

/** The page's element for `selector`; the demo markup always has it. */
export const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

/** Publishes the sticky status bar's height as `--bar-height`, for what sticks below it. */
export function trackBarHeight(): void {
  const bar = document.querySelector('header.bar');
  if (!bar || typeof ResizeObserver === 'undefined') return;
  new ResizeObserver(() => {
    const height = bar.getBoundingClientRect().height;
    document.documentElement.style.setProperty('--bar-height', `${height}px`);
  }).observe(bar);
}

/**
 * The outlet's settings and the food court's tenants. Each falls back to its last cached copy
 * when central is unreachable, so a page also starts offline. A tablet with no cached settings
 * has nothing to start from: it says so on the relay badge, with the client's code, and asks
 * central again with backoff until it answers.
 */
export async function loadOutlet(
  config: DemoConfig,
  query?: OutletSettingsOptions['query'],
): Promise<[OutletSettings, Tenant[]]> {
  const badge = $('#connection-badge');
  const cause = $('#connection-cause');
  let waited = false;
  const loaded = await loadOnceReachable(
    () =>
      Promise.all([
        loadOutletSettings({ apiUrl: config.centralUrl, outletId: config.outletId, query }),
        loadTenants(config.centralUrl),
      ]),
    {
      onWaiting: (wait) => {
        waited = true;
        showFirstContact(badge, cause, wait);
      },
    },
  );
  if (waited) showFirstContact(badge, cause, null);
  return loaded;
}

/** Probed often: the demo is about watching the indicator change when central goes away. */
export function watchNetwork(config: DemoConfig, relayUrl: string | undefined): NetworkMonitor {
  return createNetworkMonitor({
    centralHealthUrl: `${config.centralUrl}/health`,
    relayUrl,
    intervalMs: 3_000,
    timeoutMs: 2_000,
  });
}
