import type { KitchenSyncError } from '../errors.js';

export const COLLECTIONS = ['products', 'categories', 'promotions'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export type ItemId = string | number;

/**
 * What every collection's rows share. Unknown fields are kept as the server sent them, so a
 * backend can add fields without a client release.
 */
export interface MasterDataItem {
  id: ItemId;
  /** The change counter this row was last written at (see docs/master-data.md). */
  version?: number;
  updated_at?: string;
  /** Tombstone: the row disappears from the cache. */
  deleted?: boolean;
  /** `false` is a tombstone too: inactive rows are never sold. */
  is_active?: boolean;
  [field: string]: unknown;
}

export interface Product extends MasterDataItem {
  name?: string;
  /** Decimal string, as everywhere money travels. */
  price?: string | number;
  category_id?: ItemId;
  image?: string;
}

export interface Category extends MasterDataItem {
  name?: string;
  description?: string;
}

export interface Promotion extends MasterDataItem {
  name?: string;
  discount?: unknown;
  /** ISO 8601 timestamp or a date (`2026-01-31`, a whole local day); absent = open. */
  start_date?: string | null;
  end_date?: string | null;
}

export interface ItemByCollection {
  products: Product;
  categories: Category;
  promotions: Promotion;
}

export type MasterDataVersions = Record<Collection, number>;

/**
 * `resyncing`: central reported a `current_version` below the cache's (restored from a
 * backup); a collection is being downloaded again from version 0 while reads still serve the
 * old cache.
 */
export type MasterDataState = 'idle' | 'syncing' | 'resyncing' | 'synced' | 'error' | 'offline';

export interface MasterDataStatus {
  state: MasterDataState;
  /** ms since epoch when every collection was last fully caught up; null = never. */
  lastSync: number | null;
  error: KitchenSyncError | null;
  /** No complete sync within `staleAfterMs`: show the "prices may be outdated" warning. */
  stale: boolean;
}

export interface SyncResult {
  /** `'offline'`: the browser reported no network, nothing was fetched. */
  skipped: 'offline' | null;
  versions: MasterDataVersions;
  /** Rows written or removed by this run, per collection (after a resync: the rows kept). */
  applied: Record<Collection, number>;
  /** Collections downloaded again from version 0 because central's version went back. */
  resynced: Collection[];
}
