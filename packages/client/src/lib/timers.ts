/**
 * The timer functions every service takes, injectable so tests use fake ones. A file of its
 * own, free of DOM types, because the service worker's declarations import it and must
 * typecheck under `lib: ["webworker"]` alone.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}
