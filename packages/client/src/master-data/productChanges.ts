import { type ProductBucket, productsOf, sortById } from './productBuckets.js';
import type { ItemId, Product } from './types.js';

/**
 * A product changed by a small page, stored as its own record instead of rewriting its
 * bucket: 100 price changes spread over the menu are 100 blind writes, where buckets would
 * need 100 reads and 100 rewrites. Reads lay these over the buckets; a large page, or this
 * store growing past OVERLAY_MAX, folds them into the buckets.
 */
export interface ProductChange {
  /** The id in string form (DESIGN §3). */
  key: string;
  id: ItemId;
  /** The category in string form, indexed; absent when the product was removed. */
  category_id?: string;
  /** Absent: removed (tombstone or inactive). */
  product?: Product;
}

/** Pages smaller than this are laid over the buckets; larger ones are written into them. */
export const OVERLAY_PAGE_MAX = 256;

/** Changed products held beside the buckets before the next page folds them in. */
export const OVERLAY_MAX = 1_024;

export function changeOf(item: Product, removed: boolean, category: string): ProductChange {
  const key = String(item.id);
  return removed
    ? { key, id: item.id }
    : { key, id: item.id, category_id: category, product: item };
}

/** The change as a page row, for folding into the buckets. */
export function rowOf(change: ProductChange): Product {
  return change.product ?? { id: change.id, deleted: true };
}

/**
 * Bucket products with the changes laid over them, in id order. `changedIds` are every
 * changed product; `changes` those that belong in the result (all of them, or one category's).
 */
export function overlay(
  buckets: ProductBucket[],
  changedIds: string[],
  changes: ProductChange[],
): Product[] {
  if (changedIds.length === 0) return productsOf(buckets);
  const changed = new Set(changedIds);
  const products: Product[] = [];
  for (const bucket of buckets) {
    bucket.items.forEach((item, i) => {
      if (!changed.has(bucket.ids[i]!)) products.push(item);
    });
  }
  for (const change of changes) if (change.product) products.push(change.product);
  return sortById(products);
}
