import { resolveEnvironment, type Timers } from '../../lib/environment.js';
import { type Readable, readable } from '../../store.js';

/** How long a ticket has waited: under `warnMs`, under `lateMs`, or over. */
export type AgeLevel = 'ok' | 'warn' | 'late';

export interface TicketClockOptions {
  /** Default 5 minutes. */
  warnMs?: number | undefined;
  /** Default 10 minutes. */
  lateMs?: number | undefined;
  /** How often the clock ticks. Default 1 s. */
  tickMs?: number | undefined;
  now?: (() => number) | undefined;
  timers?: Timers | undefined;
}

export interface TicketClock {
  /** The time, ticking every `tickMs` while anyone listens. */
  readonly now: Readable<number>;
  /**
   * A ticket's age level: notifies only when a threshold is crossed, so a screen re-renders a
   * ticket twice in its life, not every second.
   */
  level(createdMs: number): Readable<AgeLevel>;
  ageMs(createdMs: number): number;
}

/** One clock per screen: every ticket's timer hangs on its single interval. */
export function createTicketClock(options: TicketClockOptions = {}): TicketClock {
  const env = resolveEnvironment(options);
  const warnMs = options.warnMs ?? 5 * 60_000;
  const lateMs = options.lateMs ?? 10 * 60_000;
  const tickMs = options.tickMs ?? 1000;
  const levelAt = (createdMs: number, now: number): AgeLevel => {
    const age = now - createdMs;
    return age >= lateMs ? 'late' : age >= warnMs ? 'warn' : 'ok';
  };
  const now = readable(env.now(), (set) => {
    set(env.now());
    const timer = env.timers.setInterval(() => set(env.now()), tickMs);
    return () => env.timers.clearInterval(timer);
  });
  return {
    now,
    ageMs: (createdMs) => env.now() - createdMs,
    level(createdMs) {
      // The tick only says when to look: `env.now()` is read then, so a relay clock's new offset
      // (the first caught_up after a reload) counts at once, not from a tick up to 1 s old.
      return readable(levelAt(createdMs, env.now()), (set) =>
        now.subscribe(() => set(levelAt(createdMs, env.now()))),
      );
    },
  };
}
