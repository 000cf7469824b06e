import type { Readable } from '../../../src/store.js';

/** Resolves with the store's value once `predicate` holds; fails after `timeoutMs` of real time. */
export function until<T>(
  store: Readable<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 2_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      unsubscribe?.();
      reject(new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(store.get())}`));
    }, timeoutMs);
    unsubscribe = store.subscribe((value) => {
      if (done || !predicate(value)) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      resolve(value);
    });
    if (done) unsubscribe();
  });
}
