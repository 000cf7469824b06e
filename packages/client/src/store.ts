/** The Svelte store contract: `subscribe` calls `run` at once and returns an unsubscribe. */
export type Subscriber<T> = (value: T) => void;
export type Unsubscriber = () => void;

export interface Readable<T> {
  subscribe(run: Subscriber<T>): Unsubscriber;
  get(): T;
}

export interface Writable<T> extends Readable<T> {
  set(value: T): void;
  update(fn: (value: T) => T): void;
}

/**
 * Called when the first subscriber arrives; returns the cleanup for when the last leaves.
 * This is where browser listeners are attached, so nothing listens while nobody watches.
 */
export type StartStop<T> = (set: (value: T) => void) => (() => void) | undefined;

export function writable<T>(initial: T, start?: StartStop<T>): Writable<T> {
  let value = initial;
  let stop: (() => void) | undefined;
  const subscribers = new Set<Subscriber<T>>();

  const set = (next: T): void => {
    if (Object.is(next, value)) return;
    value = next;
    // Copy so a subscriber that unsubscribes another mid-notify cannot skip anyone.
    for (const run of [...subscribers]) {
      try {
        run(value);
      } catch (error) {
        reportListenerError(error);
      }
    }
  };

  return {
    get: () => value,
    set,
    update: (fn) => set(fn(value)),
    subscribe(run) {
      subscribers.add(run);
      if (subscribers.size === 1 && start) stop = start(set);
      run(value);
      return () => {
        if (!subscribers.delete(run)) return;
        if (subscribers.size === 0 && stop) {
          stop();
          stop = undefined;
        }
      };
    },
  };
}

export function readable<T>(initial: T, start?: StartStop<T>): Readable<T> {
  const { subscribe, get } = writable(initial, start);
  return { subscribe, get };
}

/** Exposes only the reading side of a writable. */
export function readonly<T>(store: Readable<T>): Readable<T> {
  return { subscribe: store.subscribe, get: store.get };
}

/**
 * A user's listener must never break a transport or a store; its error is reported
 * asynchronously so it still shows up in the console and in error trackers.
 */
export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
