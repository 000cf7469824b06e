import { Backoff } from '../lib/backoff.js';
import type { Timers } from '../lib/timers.js';

/**
 * Retries a replay that stopped on a network error or a 5xx, with jittered backoff, for as long
 * as the worker lives. Where there are no sync events (Safari, Firefox) nobody else would, and a
 * page's `online` event often comes before the network really works. When the browser stops
 * the worker, a sync event, the next start, order, ONLINE or SYNC_NOW takes over.
 */
export function createRetryTimer(
  replay: () => Promise<unknown>,
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>,
  random: () => number,
): (stopped: boolean) => void {
  const backoff = new Backoff({ min: 2_000, max: 60_000, random });
  let timer: unknown;
  return (stopped) => {
    if (!stopped) {
      backoff.reset();
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      return;
    }
    if (timer !== undefined) return;
    timer = timers.setTimeout(() => {
      timer = undefined;
      replay().catch(() => {
        // Storage failed; the next trigger tries again.
      });
    }, backoff.duration());
  };
}
