import { type IDBPTransaction, type StoreNames, unwrap } from 'idb';
import type { MasterDataDb, MasterDataDbSchema } from './masterDataDb.js';
import { isTombstone } from './pageGuard.js';
import { BucketSet, categoryKey } from './productBuckets.js';
import {
  changeOf,
  OVERLAY_MAX,
  OVERLAY_PAGE_MAX,
  overlay,
  type ProductChange,
  rowOf,
} from './productChanges.js';
import type { ItemId, Product } from './types.js';

/** Every store a page of products touches, besides `metadata`. */
export const PRODUCT_STORES = ['products', 'product_changes', 'product_directory'] as const;

type WriteTx = IDBPTransaction<MasterDataDbSchema, StoreNames<MasterDataDbSchema>[], 'readwrite'>;

/**
 * Stores a page of products: a small page as per-product changes beside the buckets, a large
 * one (or one that would overfill the changes) into the buckets, with the changes folded in.
 */
export async function writeProductPage(tx: WriteTx, items: Product[]): Promise<void> {
  const changes = tx.objectStore('product_changes');
  const held = items.length < OVERLAY_PAGE_MAX ? await changes.count() : Number.POSITIVE_INFINITY;
  if (held + items.length <= OVERLAY_MAX) {
    const raw = unwrap(changes) as IDBObjectStore;
    for (const item of items) {
      raw.put(changeOf(item, isTombstone(item), categoryKey(item.category_id)));
    }
    return;
  }
  // The changes are older than the page: applied first, so the page's rows win.
  const folded = held > 0 ? (await changes.getAll()).map(rowOf) : [];
  await writeBuckets(tx, folded.length > 0 ? [...folded, ...items] : items);
  if (folded.length > 0) await changes.clear();
}

/**
 * Applies rows to their buckets: every bucket a row is in now or may go to is read first, so
 * a row that changed category leaves its old bucket in the same transaction.
 */
async function writeBuckets(tx: WriteTx, items: Product[]): Promise<void> {
  const store = tx.objectStore('products');
  const buckets = new BucketSet(await tx.objectStore('product_directory').get('products'));
  const load = async (keys: number[]) => {
    for (const bucket of await Promise.all(keys.map((key) => store.get(key)))) {
      if (bucket) buckets.add(bucket);
    }
  };
  await load(buckets.current(items));
  await load(buckets.destinations(items.filter((item) => !isTombstone(item))));
  for (const item of items) {
    if (isTombstone(item)) buckets.remove(item.id);
    else buckets.upsert(item);
  }
  const { put, remove, directory } = buckets.changed();
  const raw = unwrap(store) as IDBObjectStore;
  for (const bucket of put) raw.put(bucket);
  for (const key of remove) raw.delete(key);
  if (directory) (unwrap(tx.objectStore('product_directory')) as IDBObjectStore).put(directory);
}

export async function readProducts(db: MasterDataDb): Promise<Product[]> {
  const tx = db.transaction(['products', 'product_changes']);
  const [buckets, changes] = await Promise.all([
    tx.objectStore('products').getAll(),
    tx.objectStore('product_changes').getAll(),
  ]);
  return overlay(
    buckets,
    changes.map((change) => change.key),
    changes,
  );
}

/** Ids compare by string form (DESIGN §3): category 3 and "3" are the same category. */
export async function readCategory(db: MasterDataDb, categoryId: ItemId): Promise<Product[]> {
  const category = categoryKey(categoryId);
  const tx = db.transaction(['products', 'product_changes']);
  const changes = tx.objectStore('product_changes');
  const [buckets, changedIds, changedHere] = await Promise.all([
    tx.objectStore('products').index('category_id').getAll(category),
    changes.getAllKeys(),
    changes.index('category_id').getAll(category),
  ]);
  return overlay(buckets, changedIds, changedHere as ProductChange[]);
}
