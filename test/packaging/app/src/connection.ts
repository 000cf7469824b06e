import { loadOutletSettings, socketOptionsFromSettings } from '@kitchen-sync/client';

/**
 * No central backend: no `apiUrl`, so nothing is fetched and the settings come from the
 * defaults, here the relay URL and token the test put in the page's query.
 */
export async function relayConnection(search: string) {
  const query = new URLSearchParams(search);
  const settings = await loadOutletSettings({
    outletId: 1,
    defaults: { relayUrl: query.get('relay') ?? '', relayToken: query.get('token') ?? '' },
  });
  return { settings, ...socketOptionsFromSettings(settings) };
}
