import { type IDBPTransaction, type StoreNames, unwrap } from 'idb';
import { KitchenSyncError } from '../errors.js';
import {
  type CollectionMeta,
  type MasterDataDb,
  type MasterDataDbSchema,
  openMasterDataDb,
  type StoredPromotion,
  withoutWindow,
  withWindow,
} from './masterDataDb.js';
import { isTombstone, type MasterDataPage } from './pageGuard.js';
import { PRODUCT_STORES, readCategory, readProducts, writeProductPage } from './productCache.js';
import { DAY_SPREAD_MS, windowHolds } from './promotionWindow.js';
import {
  type Category,
  COLLECTIONS,
  type Collection,
  type ItemId,
  type MasterDataItem,
  type MasterDataVersions,
  type Product,
  type Promotion,
} from './types.js';

export type ApplyOutcome =
  | { applied: true; meta: CollectionMeta }
  | { applied: false; storedVersion: number };

/**
 * The cache with its domain meaning: pages applied atomically with their version, and the
 * reads a kiosk needs. The service never touches IndexedDB itself.
 */
export class MasterDataStore {
  readonly #factory: IDBFactory | undefined;
  readonly #name: string;
  #db: Promise<MasterDataDb> | null = null;

  constructor(factory: IDBFactory | undefined, name: string) {
    this.#factory = factory;
    this.#name = name;
  }

  readMeta(): Promise<Record<Collection, CollectionMeta>> {
    return this.#use(async (db) => {
      const rows = await db.getAll('metadata');
      const meta = {} as Record<Collection, CollectionMeta>;
      for (const key of COLLECTIONS) {
        meta[key] = rows.find((row) => row.key === key) ?? { key, version: 0, synced_at: null };
      }
      return meta;
    });
  }

  /**
   * Writes a page and the version it brings the collection to in ONE transaction, so the
   * version never runs ahead of the data. `expectedVersion` is the version the page was
   * fetched after: if the cache moved meanwhile (another tab, `clear()`), nothing is written.
   */
  async applyPage(
    collection: Collection,
    expectedVersion: number,
    page: MasterDataPage,
    now: number,
  ): Promise<ApplyOutcome> {
    return this.#use((db) => this.#applyPage(db, collection, expectedVersion, page, now));
  }

  async #applyPage(
    db: MasterDataDb,
    collection: Collection,
    expectedVersion: number,
    page: MasterDataPage,
    now: number,
  ): Promise<ApplyOutcome> {
    // Relaxed durability: a lost commit only means refetching it, and version and rows
    // still commit or vanish together.
    const scope: StoreNames<MasterDataDbSchema>[] =
      collection === 'products' ? [...PRODUCT_STORES, 'metadata'] : [collection, 'metadata'];
    const tx = db.transaction(scope, 'readwrite', { durability: 'relaxed' });
    const stored = await tx.objectStore('metadata').get(collection);
    const storedVersion = stored?.version ?? 0;
    if (storedVersion !== expectedVersion) {
      await abandon(tx);
      return { applied: false, storedVersion };
    }
    const meta: CollectionMeta = {
      key: collection,
      version: page.version,
      synced_at: page.hasMore ? (stored?.synced_at ?? null) : now,
    };
    try {
      if (collection === 'products') {
        await writeProductPage(tx, page.items as Product[]);
      } else {
        // Raw requests, none awaited: one promise per row would dominate a large page.
        const rows = unwrap(tx.objectStore(collection)) as IDBObjectStore;
        for (const item of page.items) {
          if (isTombstone(item)) rows.delete(item.id);
          else rows.put(collection === 'promotions' ? withWindow(item) : item);
        }
      }
      (unwrap(tx.objectStore('metadata')) as IDBObjectStore).put(meta);
    } catch (error) {
      await abandon(tx);
      throw error;
    }
    await tx.done;
    return { applied: true, meta };
  }

  /**
   * Replaces a collection's whole content with `rows` (a complete download from version 0)
   * and its version with `version`, in ONE transaction: reads see the old menu until the new
   * one is complete, never an empty or half-built one. Like `applyPage`, nothing is written
   * when the stored version is no longer `expectedVersion`.
   */
  async replaceCollection(
    collection: Collection,
    expectedVersion: number,
    rows: MasterDataItem[],
    version: number,
    now: number,
  ): Promise<ApplyOutcome> {
    return this.#use(async (db) => {
      const names: StoreNames<MasterDataDbSchema>[] =
        collection === 'products' ? [...PRODUCT_STORES] : [collection];
      const tx = db.transaction([...names, 'metadata'], 'readwrite');
      const storedVersion = (await tx.objectStore('metadata').get(collection))?.version ?? 0;
      if (storedVersion !== expectedVersion) {
        await abandon(tx);
        return { applied: false, storedVersion };
      }
      // A central that answers nothing (rebuilt and not seeded yet, a deploy on the wrong
      // database) must not take the menu away: the terminal sells from its cache meanwhile.
      if (rows.length === 0 && (await heldRows(tx, collection)) > 0) {
        await abandon(tx);
        throw new KitchenSyncError(
          'central_empty',
          `central sent no ${collection} at version ${version}; the cached ones are kept`,
          { collection, current_version: version },
        );
      }
      const meta: CollectionMeta = { key: collection, version, synced_at: now };
      try {
        for (const name of names) (unwrap(tx.objectStore(name)) as IDBObjectStore).clear();
        if (collection === 'products') {
          await writeProductPage(tx, rows as Product[]);
        } else {
          const store = unwrap(tx.objectStore(collection)) as IDBObjectStore;
          for (const row of rows) {
            store.put(collection === 'promotions' ? withWindow(row as Promotion) : row);
          }
        }
        (unwrap(tx.objectStore('metadata')) as IDBObjectStore).put(meta);
      } catch (error) {
        await abandon(tx);
        throw error;
      }
      await tx.done;
      return { applied: true, meta };
    });
  }

  /**
   * Records that these collections were found up to date without a page to write: one small
   * transaction instead of one per collection, on every quiet background refresh. A
   * collection whose stored version is no longer the one checked is left alone; returns
   * whether all of them still matched.
   */
  async markSynced(checked: CollectionMeta[], now: number): Promise<boolean> {
    if (checked.length === 0) return true;
    return this.#use(async (db) => {
      const tx = db.transaction('metadata', 'readwrite', { durability: 'relaxed' });
      const stored = await Promise.all(checked.map((meta) => tx.store.get(meta.key)));
      let matched = true;
      checked.forEach((meta, i) => {
        if ((stored[i]?.version ?? 0) !== meta.version) matched = false;
        else (unwrap(tx.store) as IDBObjectStore).put({ ...meta, synced_at: now });
      });
      await tx.done;
      return matched;
    });
  }

  getProducts(): Promise<Product[]> {
    return this.#use(readProducts);
  }

  getProductsByCategory(categoryId: ItemId): Promise<Product[]> {
    return this.#use((db) => readCategory(db, categoryId));
  }

  getCategories(): Promise<Category[]> {
    return this.#use((db) => db.getAll('categories'));
  }

  getActivePromotions(now: number): Promise<Promotion[]> {
    return this.#use(async (db) => {
      // A bare date's stored end may lie up to a day's spread of zones before its end here.
      const candidates = await db.getAllFromIndex(
        'promotions',
        'ends_at',
        IDBKeyRange.lowerBound(now - DAY_SPREAD_MS),
      );
      return candidates.filter((row: StoredPromotion) => windowHolds(row, now)).map(withoutWindow);
    });
  }

  clear(): Promise<void> {
    return this.#use(async (db) => {
      const names: StoreNames<MasterDataDbSchema>[] = [
        ...COLLECTIONS,
        ...PRODUCT_STORES,
        'metadata',
      ];
      const tx = db.transaction(names, 'readwrite');
      for (const name of names) (unwrap(tx.objectStore(name)) as IDBObjectStore).clear();
      await tx.done;
    });
  }

  /**
   * Runs `work` on the open database; whatever IndexedDB throws (`db.transaction()` throws
   * synchronously for a missing store) leaves as a `storage` error, never as a bare DOMException.
   */
  async #use<T>(work: (db: MasterDataDb) => Promise<T>): Promise<T> {
    try {
      return await work(await this.#open());
    } catch (error) {
      throw storageError(error);
    }
  }

  async close(): Promise<void> {
    const pending = this.#db;
    this.#db = null;
    if (pending) (await pending.catch(() => null))?.close();
  }

  #open(): Promise<MasterDataDb> {
    const factory = this.#factory;
    if (!factory) {
      return Promise.reject(
        new KitchenSyncError('storage', 'IndexedDB is not available for the master-data cache'),
      );
    }
    if (!this.#db) {
      const opening: Promise<MasterDataDb> = openMasterDataDb(factory, this.#name, {
        onBlocking: () => void this.close(),
        onTerminated: () => {
          if (this.#db === opening) this.#db = null;
        },
      }).catch((error: unknown) => {
        // A failed open is retried by the next call instead of being remembered.
        if (this.#db === opening) this.#db = null;
        throw storageError(error);
      });
      this.#db = opening;
    }
    return this.#db;
  }
}

export function emptyVersions(): MasterDataVersions {
  return { products: 0, categories: 0, promotions: 0 };
}

/** Rows a collection holds (products: buckets and per-product changes, tombstones too). */
async function heldRows(
  tx: IDBPTransaction<MasterDataDbSchema, StoreNames<MasterDataDbSchema>[], 'readwrite'>,
  collection: Collection,
): Promise<number> {
  if (collection !== 'products') return tx.objectStore(collection).count();
  const counts = await Promise.all([
    tx.objectStore('products').count(),
    tx.objectStore('product_changes').count(),
  ]);
  return counts[0] + counts[1];
}

function storageError(error: unknown): KitchenSyncError {
  if (error instanceof KitchenSyncError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  return new KitchenSyncError('storage', `master-data cache: ${String(error)}`, { name });
}

/** Undoes a transaction and waits until it is over (its `done` rejects on the abort). */
async function abandon(tx: { abort(): void; done: Promise<void> }): Promise<void> {
  tx.abort();
  await tx.done.catch(() => undefined);
}
