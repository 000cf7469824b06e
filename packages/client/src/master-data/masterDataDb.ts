import {
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
  unwrap,
  wrap,
} from 'idb';
import { BucketSet, type ProductBucket, type ProductDirectory } from './productBuckets.js';
import type { ProductChange } from './productChanges.js';
import { storedBound } from './promotionWindow.js';
import type { Category, Collection, ItemId, Product, Promotion } from './types.js';

/** The name the users' existing kiosks already use, so an installed cache is upgraded in place. */
export const DEFAULT_DB_NAME = 'kiosk_master_data';

/**
 * 1: the users' original layout (stores keyed by `id`, metadata as `{ key, value }`).
 * 2: indexes for category and date-range reads, per-collection sync metadata.
 * 3: products in buckets of one category, found through `product_directory`
 *    (productBuckets.ts), with recent small changes beside them (productChanges.ts).
 * 4: no new layout. Releases before `product_changes` existed also wrote version 3 without
 *    it; 4 makes those caches run the upgrade again, which creates whatever store is missing.
 *    A store added later needs a version bump too, or caches at the old shape never get it.
 */
export const DB_VERSION = 4;

/**
 * Promotions carry their window as numbers so the `ends_at` index can narrow "still running";
 * a bare date's exact day is decided at read time (promotionWindow.ts).
 */
export interface StoredPromotion extends Promotion {
  _ks_start: number;
  _ks_end: number;
}

/** Where a collection's sync stands; written in the same transaction as the data it covers. */
export interface CollectionMeta {
  key: Collection;
  version: number;
  /** When this collection was last fully caught up (a page with `has_more: false`). */
  synced_at: number | null;
}

export interface MasterDataDbSchema extends DBSchema {
  products: {
    key: number;
    value: ProductBucket;
    indexes: { category_id: string; version: number; updated_at: string };
  };
  product_directory: { key: 'products'; value: ProductDirectory };
  product_changes: { key: string; value: ProductChange; indexes: { category_id: string } };
  categories: { key: ItemId; value: Category };
  promotions: {
    key: ItemId;
    value: StoredPromotion;
    indexes: { starts_at: number; ends_at: number };
  };
  metadata: { key: string; value: CollectionMeta };
}

export type MasterDataDb = IDBPDatabase<MasterDataDbSchema>;

export interface OpenMasterDataDbOptions {
  /** Another tab wants a newer schema: close so its upgrade is not blocked. */
  onBlocking?: () => void;
  /** The browser closed the connection (storage cleared, disk error). */
  onTerminated?: () => void;
}

export async function openMasterDataDb(
  factory: IDBFactory,
  name: string,
  options: OpenMasterDataDbOptions = {},
): Promise<MasterDataDb> {
  // idb's openDB reads the global `indexedDB`; opening through the injected factory keeps
  // tests and embedders in control of where the cache lives.
  const request = factory.open(name, DB_VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as MasterDataDb;
    const tx = wrap(request.transaction!) as unknown as UpgradeTx;
    void upgrade(db, event.oldVersion, tx).catch(() => tx.abort());
  });
  const db = (await wrap(request)) as unknown as MasterDataDb;
  db.addEventListener('versionchange', () => options.onBlocking?.());
  db.addEventListener('close', () => options.onTerminated?.());
  return db;
}

type UpgradeTx = IDBPTransaction<
  MasterDataDbSchema,
  StoreNames<MasterDataDbSchema>[],
  'versionchange'
>;

async function upgrade(db: MasterDataDb, oldVersion: number, tx: UpgradeTx): Promise<void> {
  // By name, not by version: a version-3 cache may predate this store (see DB_VERSION);
  // before any await, while the upgrade transaction is surely active.
  if (!db.objectStoreNames.contains('product_changes')) {
    db.createObjectStore('product_changes', { keyPath: 'key' }).createIndex(
      'category_id',
      'category_id',
    );
  }
  if (oldVersion < 1) {
    db.createObjectStore('categories', { keyPath: 'id' });
    db.createObjectStore('promotions', { keyPath: 'id' });
    db.createObjectStore('metadata', { keyPath: 'key' });
  }
  if (oldVersion < 2) {
    const promotions = tx.objectStore('promotions');
    promotions.createIndex('starts_at', '_ks_start');
    promotions.createIndex('ends_at', '_ks_end');
    // Version 1 counted versions per row, which cannot resume a sync: start the versions
    // over (one full refetch) but keep the rows so the kiosk still sells offline meanwhile.
    await tx.objectStore('metadata').clear();
    let cursor = await promotions.openCursor();
    while (cursor) {
      await cursor.update(withWindow(cursor.value, true));
      cursor = await cursor.continue();
    }
  }
  if (oldVersion < 3) {
    // Versions 1 and 2 kept one row per product: regroup them, versions stay valid.
    const rows: Product[] = [];
    if (oldVersion >= 1) {
      const legacy = unwrap(tx.objectStore('products')) as IDBObjectStore;
      rows.push(...(await wrap(legacy.getAll() as IDBRequest<Product[]>)));
      db.deleteObjectStore('products');
    }
    const products = db.createObjectStore('products', { keyPath: 'key' });
    products.createIndex('category_id', 'category_id');
    products.createIndex('version', 'version');
    products.createIndex('updated_at', 'updated_at');
    const directory = db.createObjectStore('product_directory', { keyPath: 'key' });
    const buckets = new BucketSet();
    for (const row of rows) buckets.upsert(row);
    const { put, directory: written } = buckets.changed();
    await Promise.all([
      ...put.map((bucket) => products.put(bucket)),
      ...(written ? [directory.put(written)] : []),
    ]);
  }
}

/**
 * Adds the numeric window. `lenient` (rows kept from an older schema) opens an unreadable
 * bound instead of failing; fresh pages are checked before they get here.
 */
export function withWindow(promotion: Promotion, lenient = false): StoredPromotion {
  let start = storedBound(promotion.start_date, 'start');
  let end = storedBound(promotion.end_date, 'end');
  if (lenient && Number.isNaN(start)) start = Number.NEGATIVE_INFINITY;
  if (lenient && Number.isNaN(end)) end = Number.POSITIVE_INFINITY;
  return { ...promotion, _ks_start: start, _ks_end: end };
}

export function withoutWindow(stored: StoredPromotion): Promotion {
  const { _ks_start: _start, _ks_end: _end, ...promotion } = stored;
  return promotion;
}
