/**
 * Where the kiosk keeps its queue-number counters. `update` reads, changes and writes one
 * counter as a single step: two tabs or windows of one kiosk (a browser that restored two
 * windows after a crash) must never both take the same number.
 */
export interface CounterStore {
  /** `change` gets the stored value and, where one is kept beside it, the other copy's. */
  update(
    key: string,
    change: (stored: string | null, copy: string | null) => string,
  ): Promise<string>;
}

const DB_NAME = 'kitchen-sync-demo-queue-numbers';
const STORE = 'counters';

/**
 * IndexedDB: a readwrite transaction on one store runs alone across every tab of the origin,
 * which localStorage does not promise (each tab's copy is brought up to date later), and it
 * works in an insecure context, where Web Locks do not. Every count is also written to `legacy`
 * (localStorage, same key), where the release before kept it: while a kiosk is upgraded, a tab
 * not yet reloaded counts on from the new tabs' numbers, and they from its (the later wins).
 */
export function indexedDbCounters(factory: IDBFactory, legacy: Storage): CounterStore {
  let opened: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((error: unknown) => {
      opened = null;
      throw error;
    });
    return opened;
  };
  return {
    async update(key, change) {
      const db = await open();
      return new Promise<string>((resolve, reject) => {
        const tx = db.transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        let next = '';
        const read = store.get(key);
        read.onsuccess = () => {
          const held = typeof read.result === 'string' ? read.result : null;
          next = change(held, legacy.getItem(key));
          store.put(next, key);
        };
        tx.oncomplete = () => {
          legacy.setItem(key, next);
          resolve(next);
        };
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    },
  };
}

/** A `Storage` (localStorage, or a test's): one step only within one tab. */
export function storageCounters(storage: Storage): CounterStore {
  return {
    async update(key, change) {
      const next = change(storage.getItem(key), null);
      storage.setItem(key, next);
      return next;
    },
  };
}
