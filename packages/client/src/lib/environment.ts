import type { Timers } from './timers.js';

export type { Timers };

/**
 * Everything a client service takes from the browser, injectable so tests run in Node with
 * fake timers, fake-indexeddb and msw. Defaults are the browser's globals, read lazily.
 */
export interface EnvironmentOptions {
  /** Wall clock in ms. */
  now?: (() => number) | undefined;
  timers?: Timers | undefined;
  random?: (() => number) | undefined;
  fetch?: typeof fetch | undefined;
  /** `navigator.onLine` and online/offline events come from here. */
  window?:
    | (Pick<Window, 'addEventListener' | 'removeEventListener'> & {
        navigator?: Pick<Navigator, 'onLine'> | undefined;
      })
    | undefined;
  /** `visibilityState` and visibilitychange come from here. */
  document?:
    | Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>
    | undefined;
  indexedDB?: IDBFactory | undefined;
}

export interface Environment {
  now: () => number;
  timers: Timers;
  random: () => number;
  fetch: typeof fetch;
  window: EnvironmentOptions['window'] | undefined;
  document: EnvironmentOptions['document'] | undefined;
  indexedDB: IDBFactory | undefined;
}

// Bound wrappers: calling an unbound `setTimeout` on `window` throws "Illegal invocation".
const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

export function resolveEnvironment(options: EnvironmentOptions = {}): Environment {
  const g = globalThis as unknown as {
    window?: EnvironmentOptions['window'];
    document?: EnvironmentOptions['document'];
    indexedDB?: IDBFactory;
  };
  return {
    now: options.now ?? (() => Date.now()),
    timers: options.timers ?? globalTimers,
    random: options.random ?? Math.random,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    window: options.window ?? g.window,
    document: options.document ?? g.document,
    indexedDB: options.indexedDB ?? g.indexedDB,
  };
}

/** Collects disposers (timers, listeners, subscriptions) so `stop()` releases every one. */
export class Disposables {
  #items: Array<() => void> = [];

  add(dispose: () => void): () => void {
    this.#items.push(dispose);
    return dispose;
  }

  listen(
    target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | undefined,
    type: string,
    handler: (event: Event) => void,
  ): void {
    if (!target) return;
    target.addEventListener(type, handler);
    this.add(() => target.removeEventListener(type, handler));
  }

  dispose(): void {
    const items = this.#items;
    this.#items = [];
    for (const d of items.reverse()) {
      try {
        d();
      } catch {
        // A failing disposer must not keep the others from running.
      }
    }
  }
}

export function isOnline(env: Environment): boolean {
  return env.window?.navigator?.onLine ?? true;
}

export function isHidden(env: Environment): boolean {
  return env.document?.visibilityState === 'hidden';
}
