import { type DBSchema, type IDBPDatabase, wrap } from 'idb';
import { KitchenSyncError } from '../errors.js';

/**
 * idb's `openDB` always uses the global `indexedDB`; this opens through an injected factory
 * so tests and benchmarks run on fake-indexeddb.
 */
export async function openIdb<S extends DBSchema>(
  factory: IDBFactory | undefined,
  name: string,
  version: number,
  upgrade: (db: IDBPDatabase<S>, oldVersion: number) => void,
): Promise<IDBPDatabase<S>> {
  if (!factory) throw new KitchenSyncError('storage', 'IndexedDB is not available');
  try {
    // Inside the try: some browsers throw from open() itself (private modes, blocked storage).
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => {
      upgrade(wrap(request.result) as unknown as IDBPDatabase<S>, event.oldVersion);
    };
    const db = (await wrap(request)) as unknown as IDBPDatabase<S>;
    // Let a newer version opened in another tab upgrade instead of blocking forever.
    db.addEventListener('versionchange', () => db.close());
    return db;
  } catch (error) {
    throw new KitchenSyncError('storage', `cannot open IndexedDB "${name}"`, { cause: error });
  }
}
