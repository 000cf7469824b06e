import type { ItemId, Product } from './types.js';

/**
 * How products are laid out in IndexedDB: up to 64 products of one category per record.
 *
 * Why not one record per product: in Chromium every record written costs ~40–100 µs however
 * small it is, so 10,000 rows take 0.8–1.4 s to store, while the same products in ~200 records
 * take ~0.1 s. (Small pages go beside the buckets instead: see productChanges.ts.) The store's indexes answer the same questions as per-row indexes
 * would: `category_id` gives a category's buckets, and `version` / `updated_at` hold the
 * newest of the bucket's products, so a range query over them returns every bucket holding a
 * product changed since then.
 */
export interface ProductBucket {
  /** Numbered from 1 across all categories, never reused while the bucket exists. */
  key: number;
  /** The category in string form (DESIGN §3: 3 and "3" are the same id); '' = none. */
  category_id: string;
  /** The products' ids in string form, in the order of `items`. */
  ids: string[];
  /** The highest `version` of the bucket's products (0 when none carries one). */
  version: number;
  /** The latest `updated_at` of the bucket's products ('' when none carries one). */
  updated_at: string;
  items: Product[];
}

/**
 * Which bucket holds each product, and which bucket of each category takes new products: one
 * record, written in the same transaction as the buckets it describes. Flat arrays, because
 * they clone in a millisecond where 10,000 index entries or lookups cost tens.
 */
export interface ProductDirectory {
  key: 'products';
  ids: string[];
  /** `buckets[i]` holds `ids[i]`. */
  buckets: number[];
  open_categories: string[];
  /** `open_buckets[i]` is the bucket new products of `open_categories[i]` go to. */
  open_buckets: number[];
  next_bucket: number;
}

/**
 * Products per bucket. Pages arrive in version order with every category mixed, so new
 * products fill their category's open bucket and then open the next: a page rewrites at most
 * one partly filled bucket per category, never the whole menu. 64 keeps a bucket rewrite
 * small and a 200-product category to four records.
 */
export const BUCKET_CAPACITY = 64;

export function categoryKey(categoryId: ItemId | null | undefined): string {
  return categoryId === undefined || categoryId === null ? '' : String(categoryId);
}

/**
 * One transaction's view of the buckets: load the ones `current()` and then `destinations()`
 * name, apply the page's rows in order, then write back what `changed()` returns.
 */
export class BucketSet {
  readonly #location = new Map<string, number>();
  readonly #open = new Map<string, number>();
  readonly #loaded = new Map<number, ProductBucket>();
  readonly #touched = new Set<ProductBucket>();
  #next: number;
  #moved = false;

  constructor(directory?: ProductDirectory) {
    this.#next = directory?.next_bucket ?? 1;
    if (!directory) return;
    for (let i = 0; i < directory.ids.length; i++) {
      this.#location.set(directory.ids[i]!, directory.buckets[i]!);
    }
    for (let i = 0; i < directory.open_categories.length; i++) {
      this.#open.set(directory.open_categories[i]!, directory.open_buckets[i]!);
    }
  }

  /** The buckets these rows are in now: load them first. */
  current(rows: Array<{ id: ItemId }>): number[] {
    const keys = new Set<number>();
    for (const row of rows) {
      const key = this.#location.get(String(row.id));
      if (key !== undefined && !this.#loaded.has(key)) keys.add(key);
    }
    return [...keys];
  }

  /**
   * Then the open buckets of the categories these rows are added or moved to. A row that
   * stays in its category is replaced where it is, so a price update reads nothing more.
   */
  destinations(upserts: Product[]): number[] {
    const keys = new Set<number>();
    for (const row of upserts) {
      const category = categoryKey(row.category_id);
      const key = this.#location.get(String(row.id));
      if (key !== undefined && this.#loaded.get(key)?.category_id === category) continue;
      const open = this.#open.get(category);
      if (open !== undefined && !this.#loaded.has(open)) keys.add(open);
    }
    return [...keys];
  }

  add(bucket: ProductBucket): void {
    this.#loaded.set(bucket.key, bucket);
  }

  /** Puts the product in its category, taking it out of the bucket it was in. */
  upsert(product: Product): void {
    const id = String(product.id);
    const category = categoryKey(product.category_id);
    const current = this.#bucketOf(id);
    if (current?.category_id === category) {
      current.items[current.ids.indexOf(id)] = product;
      this.#touched.add(current);
      return;
    }
    if (current) this.#take(current, id);
    const open = this.#open.get(category);
    // Not loaded: `destinations()` was asked before an earlier row of the page moved this one.
    let target = open === undefined ? undefined : this.#loaded.get(open);
    if (!target || target.items.length >= BUCKET_CAPACITY) {
      const key = this.#next++;
      target = { key, category_id: category, ids: [], version: 0, updated_at: '', items: [] };
      this.#loaded.set(key, target);
      this.#open.set(category, key);
    }
    target.ids.push(id);
    target.items.push(product);
    this.#location.set(id, target.key);
    this.#touched.add(target);
    this.#moved = true;
  }

  remove(id: ItemId): void {
    const current = this.#bucketOf(String(id));
    if (current) this.#take(current, String(id));
  }

  /**
   * Buckets to write (with version and updated_at recomputed) and to delete, and the
   * directory when a product was added, moved or removed (null: the stored one still holds).
   */
  changed(): { put: ProductBucket[]; remove: number[]; directory: ProductDirectory | null } {
    const put: ProductBucket[] = [];
    const remove: number[] = [];
    for (const bucket of this.#touched) {
      if (bucket.items.length === 0) {
        remove.push(bucket.key);
        if (this.#open.get(bucket.category_id) === bucket.key)
          this.#open.delete(bucket.category_id);
        continue;
      }
      let version = 0;
      let updatedAt = '';
      for (const item of bucket.items) {
        if (typeof item.version === 'number' && item.version > version) version = item.version;
        if (typeof item.updated_at === 'string' && item.updated_at > updatedAt) {
          updatedAt = item.updated_at;
        }
      }
      bucket.version = version;
      bucket.updated_at = updatedAt;
      put.push(bucket);
    }
    return { put, remove, directory: this.#moved ? this.#directory() : null };
  }

  #bucketOf(id: string): ProductBucket | undefined {
    const key = this.#location.get(id);
    if (key === undefined) return undefined;
    const bucket = this.#loaded.get(key);
    // `current()` named it, so the store has no such bucket: the row is not stored.
    if (!bucket) this.#location.delete(id);
    return bucket;
  }

  #take(bucket: ProductBucket, id: string): void {
    const at = bucket.ids.indexOf(id);
    bucket.ids.splice(at, 1);
    bucket.items.splice(at, 1);
    this.#location.delete(id);
    this.#touched.add(bucket);
    this.#moved = true;
  }

  #directory(): ProductDirectory {
    return {
      key: 'products',
      ids: [...this.#location.keys()],
      buckets: [...this.#location.values()],
      open_categories: [...this.#open.keys()],
      open_buckets: [...this.#open.values()],
      next_bucket: this.#next,
    };
  }
}

/** The products of some buckets, in id order (the order one record per product gave). */
export function productsOf(buckets: ProductBucket[]): Product[] {
  return sortById(buckets.length === 1 ? [...buckets[0]!.items] : buckets.flatMap((b) => b.items));
}

export function sortById(products: Product[]): Product[] {
  return products.sort(byId);
}

/** IndexedDB's key order for the ids we store: numbers first, ascending, then strings. */
function byId(a: Product, b: Product): number {
  const x = a.id;
  const y = b.id;
  if (typeof x === 'number') return typeof y === 'number' ? x - y : -1;
  if (typeof y === 'number') return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
