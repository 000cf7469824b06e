import type { Timers } from './environment.js';

export interface Deadline {
  /** Aborts after the timeout or when the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** True once the timeout (not the caller) aborted: the failure is a `timeout`. */
  readonly timedOut: boolean;
  /** Releases the timer and the caller's signal; call in `finally`. */
  done(): void;
}

/** One request's abort signal: its own timeout, and the caller's `stop()` through `parent`. */
export function deadline(
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>,
  timeoutMs: number,
  parent?: AbortSignal,
): Deadline {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (parent?.aborted) abort();
  parent?.addEventListener('abort', abort);
  let timedOut = false;
  const timer = timers.setTimeout(() => {
    timedOut = true;
    abort();
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    done() {
      timers.clearTimeout(timer);
      parent?.removeEventListener('abort', abort);
    },
  };
}
