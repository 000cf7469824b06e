/** What this kitchen screen shows, from its URL. */
export type ScreenMode =
  | { kind: 'orders' }
  | { kind: 'station'; stations: string[] }
  | { kind: 'expo' };

/** `?station=grill` (or `grill,wok`) is a station screen, `?expo` the expo screen. */
export function readMode(params: URLSearchParams): ScreenMode {
  const stations = (params.get('station') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (stations.length > 0) return { kind: 'station', stations };
  if (params.has('expo')) return { kind: 'expo' };
  return { kind: 'orders' };
}

/** Age thresholds in minutes: `?warn=5&late=10`. */
export function readThresholds(params: URLSearchParams): { warnMs: number; lateMs: number } {
  const minutes = (name: string, fallback: number) => {
    const value = Number(params.get(name));
    return (Number.isFinite(value) && value > 0 ? value : fallback) * 60_000;
  };
  return { warnMs: minutes('warn', 5), lateMs: minutes('late', 10) };
}
