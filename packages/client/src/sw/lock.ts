/** Runs `task` alone: no other task of the same lock starts before it settles. */
export type Lock = <T>(task: () => Promise<T>) => Promise<T>;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Web Locks where the worker has them, so an old and a new service worker version (both alive
 * during an update) never replay at once; a promise chain otherwise, which still serialises
 * sync events, SYNC_NOW and startup replays inside one worker.
 */
export function createLock(name: string, locks?: LockManagerLike): Lock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = () => (locks ? locks.request(name, task) : task());
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };
}
