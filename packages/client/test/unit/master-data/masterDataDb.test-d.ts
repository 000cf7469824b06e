import type { IndexKey, IndexNames, StoreNames, StoreValue } from 'idb';
import { expectTypeOf } from 'vitest';
import type {
  CollectionMeta,
  MasterDataDbSchema,
  StoredPromotion,
} from '../../../src/master-data/masterDataDb.js';
import type { ProductBucket, ProductDirectory } from '../../../src/master-data/productBuckets.js';
import type { Category } from '../../../src/master-data/types.js';

type Db = MasterDataDbSchema;

expectTypeOf<StoreNames<Db>>().toEqualTypeOf<
  'products' | 'product_directory' | 'product_changes' | 'categories' | 'promotions' | 'metadata'
>();
expectTypeOf<IndexNames<Db, 'products'>>().toEqualTypeOf<
  'category_id' | 'version' | 'updated_at'
>();
expectTypeOf<IndexKey<Db, 'products', 'category_id'>>().toEqualTypeOf<string>();
expectTypeOf<IndexKey<Db, 'products', 'version'>>().toEqualTypeOf<number>();
expectTypeOf<IndexNames<Db, 'promotions'>>().toEqualTypeOf<'starts_at' | 'ends_at'>();
expectTypeOf<IndexKey<Db, 'promotions', 'ends_at'>>().toEqualTypeOf<number>();
expectTypeOf<StoreValue<Db, 'products'>>().toEqualTypeOf<ProductBucket>();
expectTypeOf<StoreValue<Db, 'product_directory'>>().toEqualTypeOf<ProductDirectory>();
expectTypeOf<StoreValue<Db, 'categories'>>().toEqualTypeOf<Category>();
expectTypeOf<StoreValue<Db, 'promotions'>>().toEqualTypeOf<StoredPromotion>();
expectTypeOf<StoreValue<Db, 'metadata'>>().toEqualTypeOf<CollectionMeta>();
