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
 * The relay's clock, read from what the socket already brings: the relay judges the recall
 * window on its own clock, and a tablet an hour off would offer bumps it refuses (or hide
 * ones it takes). Each caught_up's `ts` (the relay's time as it sent it) sets the offset, so
 * a reconnect also follows a tablet clock that was reset; an event's `ts` (the relay's time
 * when it logged it, at or before now) only raises it, so a replayed event cannot pull it
 * back. Central's events are stamped by central: not read. `tabletNow` is read at each call,
 * so fake timers apply.
 */
export function createRelayClock(
  socket: Pick<SocketService, 'on'>,
  tabletNow: () => number = () => Date.now(),
): RelayClock {
  const offset = writable(0);
  let measured = false;
  const measure = (ts: string | undefined, reset?: boolean) => {
    // NaN: no `ts` (a relay before it, a poll's caught_up); the offset stays.
    const seen = Date.parse(ts as string) - tabletNow();
    if (!Number.isNaN(seen) && (reset || !measured || seen > offset.get())) {
      measured = true;
      offset.set(seen);
    }
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
