import type { Environment } from '../lib/environment.js';

/** The part of `navigator.locks` the outbox uses. */
export interface OutboxLocks {
  request(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean },
    callback: () => Promise<void>,
  ): Promise<unknown>;
}

/** What the tab holding the lock posts on the outbox's channel to say it is alive. */
export const ALIVE = 'alive';

export interface DeliveryLock {
  /** The holder's `ALIVE` came in on the channel. */
  heard(): void;
  /**
   * Whether this tab may send now: it holds the lock and has not been away (a hung main
   * thread) long enough for another tab to have taken it. If it has, it gives the lock back
   * and queues again.
   */
  fresh(): boolean;
  stop(): void;
}

/**
 * The Web Lock that makes one tab deliver. Tabs queue on it, so a closed tab hands over to
 * the next; a hung one (a long `alert()`, a runaway render) would keep it for as long as it
 * hangs. So the holder posts `ALIVE` every quarter of `stealAfterMs`, and a waiting tab takes
 * the lock (`steal`) once four whole ticks of its own have passed since it last heard it.
 * Ticks, not the clock: a waiting tab that hung itself heard nothing meanwhile either, and must
 * not blame the holder for that.
 * The tab stolen from learns it on waking from its request's AbortError, or first from its own
 * clock (see `fresh`): between them, it sends nothing after the sends already in flight.
 * `stealAfterMs` 0, or no channel to `beat` on: the tab neither says it is alive nor steals.
 */
export function deliveryLock(
  locks: OutboxLocks,
  name: string,
  env: Environment,
  stealAfterMs: number,
  beat: (() => void) | undefined,
  onChange: (held: boolean, tookOver?: boolean) => void,
): DeliveryLock {
  const tick = stealAfterMs / 4;
  const hands = beat && tick > 0;
  // The latest request: a grant or an AbortError of an older one changes nothing.
  let current: object | undefined;
  let holding = false;
  let beatAt = 0;
  // This tab's ticks since it last heard the holder.
  let silent = 0;
  let release = () => {};
  // Set while this tab waits in line (a stealing request takes no signal).
  let waiting: AbortController | undefined;

  const request = (steal?: boolean) => {
    const mine = {};
    current = mine;
    silent = 0;
    waiting?.abort();
    waiting = steal ? undefined : new AbortController();
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    locks
      .request(name, waiting ? { signal: waiting.signal } : { steal: true }, async () => {
        if (current !== mine) return;
        holding = true;
        waiting = undefined;
        beatAt = env.now();
        // At once: a third tab about to steal too hears that one already did.
        if (hands) beat();
        onChange(true, steal);
        await held;
      })
      // Taken from this tab while it held the lock, or a steal a `locks` refused: queue again.
      .catch(() => current === mine && (holding || steal) && lose());
  };

  const lose = () => {
    holding = false;
    release();
    onChange(false);
    request();
  };

  const fresh = () => {
    // A holder that has not beaten for two ticks may have been stolen from (a waiting tab
    // waits four): it must not send until it holds the lock again.
    if (!hands || env.now() - beatAt < 2 * tick) return holding;
    if (holding) lose();
    return false;
  };

  const timer =
    hands &&
    env.timers.setInterval(() => {
      if (!holding) {
        // The first tick may come right after the holder's word: four whole ticks take five.
        if (++silent > 4 && waiting) request(true);
      } else if (fresh()) {
        beatAt = env.now();
        beat();
      }
    }, tick);

  request();
  return {
    heard: () => {
      silent = 0;
    },
    fresh,
    stop: () => {
      current = undefined;
      holding = false;
      if (timer) env.timers.clearInterval(timer);
      waiting?.abort();
      release();
    },
  };
}
