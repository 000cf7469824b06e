import type { SocketStatus } from '@kitchen-sync/client';
import { bridgeProblem } from './bridgeProblem';

export interface BridgeLineOptions {
  /** Now, for "today" and "… ago". Default the current time. */
  now?: Date;
  /** Default the browser's. */
  locale?: string | string[];
  /** Default the browser's; tests pin it. */
  timeZone?: string;
}

/**
 * "central: unreachable since 05:54 · 3 events not yet uploaded · <what to do>", the problem
 * and advice per error code (bridgeProblem.ts). A time alone reads as
 * today: one from another day (an outage over a night or a weekend) gets its date and how
 * long ago it was, so two days without central never read as a few minutes.
 */
export function bridgeLine(
  bridge: NonNullable<SocketStatus['bridge']>,
  { now = new Date(), locale = [], timeZone }: BridgeLineOptions = {},
): string {
  const n = bridge.pending_events;
  const pending = n ? `${n} event${n === 1 ? '' : 's'} not yet uploaded` : 'all uploaded';
  if (!bridge.last_error_code) return `central: ${pending}`;
  const since = bridge.last_success_at ? ` since ${when(new Date(bridge.last_success_at))}` : '';
  const problem = bridgeProblem(bridge.last_error_code);
  return `central: ${problem.what}${since} · ${pending} · ${problem.advice}`;

  function when(at: Date): string {
    const zone = timeZone ? { timeZone } : {};
    const time = at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', ...zone });
    const day = (d: Date) => d.toLocaleDateString(locale, zone);
    if (day(at) === day(now)) return time;
    const date = at.toLocaleDateString(locale, { day: 'numeric', month: 'short', ...zone });
    return `${date} ${time} (${ago(now.getTime() - at.getTime())})`;
  }
}

/** "2 d 0 h ago", "5 h 12 min ago": the two largest units, as the relay's `status` says it. */
function ago(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days >= 1) return `${days} d ${hours % 24} h ago`;
  if (hours >= 1) return `${hours} h ${minutes % 60} min ago`;
  return `${minutes} min ago`;
}
