/** Where a demo page finds central and which outlet it serves, from its own URL. */
export interface DemoConfig {
  centralUrl: string;
  outletId: number;
}

const DEFAULT_CENTRAL_PORT = 8000;

/**
 * `?central=` takes a full URL or just a port; without it central is on this page's host at
 * port 8000, which is what `pnpm start` runs (tablets on the LAN reach it the same way).
 */
export function readDemoConfig(location: Location): DemoConfig {
  const params = new URLSearchParams(location.search);
  const central = params.get('central');
  const centralUrl =
    central && /^https?:\/\//.test(central)
      ? central.replace(/\/+$/, '')
      : `${location.protocol}//${location.hostname}:${Number(central) || DEFAULT_CENTRAL_PORT}`;
  return { centralUrl, outletId: Number(params.get('outlet')) || 1 };
}
