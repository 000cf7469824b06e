import type { SocketService } from '../../socket/types.js';
import { type Readable, readonly, writable } from '../../store.js';

/**
 * The relay's time as this tablet can tell it; as a store, the offset (relay minus tablet, in
 * ms, 0 until the relay said anything), which notifies when a measure moves it.
 */
export interface RelayClock extends Readable<number> {
  /** The relay's time in ms: the tablet's clock plus the offset. */
  now(): number;
  stop(): void;
}

/**
 * How long a window of samples lasts: a step back of the relay's clock ages out in two. Short,
 * as a sample is low only by its transit (milliseconds on a LAN); long enough that a replay's
 * burst of old events falls in one window.
 */
const WINDOW_MS = 10_000;

/**
 * The relay's clock, read from what the socket already brings: the relay judges the recall
 * window on its own clock, and a tablet an hour off would offer bumps it refuses (or hide
 * ones it takes). Each caught_up's `ts` (the relay's time as it sent it) sets the offset, so
 * a reconnect also follows a tablet clock that was reset. An event's `ts` (the relay's time
 * when it logged it, at or before now) is a lower bound: the offset is the highest sample of
 * this window and of the last one that had any, so a replayed or late event cannot pull it
 * back, and a relay clock stepped back (NTP) is followed once two windows have passed rather
 * than at the next reconnect. Central's events are stamped by central: not read.
 * `tabletNow` is read at each call, so fake timers apply.
 */
export function createRelayClock(
  socket: Pick<SocketService, 'on'>,
  tabletNow: () => number = () => Date.now(),
): RelayClock {
  const offset = writable(0);
  let windowStart = -Infinity;
  let previousMax = -Infinity;
  let windowMax = -Infinity;
  const measure = (ts: string | undefined, reset?: boolean) => {
    const at = tabletNow();
    const seen = Date.parse(ts as string) - at;
    // NaN: no `ts` (a relay before it, a poll's caught_up); the offset stays.
    if (Number.isNaN(seen)) return;
    if (reset || at - windowStart >= WINDOW_MS) {
      previousMax = reset ? seen : windowMax;
      windowMax = seen;
      windowStart = at;
    } else windowMax = Math.max(windowMax, seen);
    offset.set(Math.max(previousMax, windowMax));
  };
  const unbind = [
    socket.on('event', (event, source) => source !== 'central' && measure(event.ts)),
    socket.on('sync:caught_up', (caughtUp) => measure(caughtUp.ts, true)),
  ];
  return {
    ...readonly(offset),
    now: () => tabletNow() + offset.get(),
    stop: () => {
      for (const fn of unbind) fn();
    },
  };
}
