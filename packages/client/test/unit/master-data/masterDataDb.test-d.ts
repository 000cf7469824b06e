import type { IndexKey, IndexNames, StoreNames, StoreValue } from 'idb';
import { expectTypeOf } from 'vitest';
import type {
  CollectionMeta,
  MasterDataDbSchema,
  StoredPromotion,
} from '../../../src/master-data/masterDataDb.js';
import type { Category, ItemId, Product } from '../../../src/master-data/types.js';

type Db = MasterDataDbSchema;

expectTypeOf<StoreNames<Db>>().toEqualTypeOf<
  'products' | 'categories' | 'promotions' | 'metadata'
>();
expectTypeOf<IndexNames<Db, 'products'>>().toEqualTypeOf<
  'category_id' | 'version' | 'updated_at'
>();
expectTypeOf<IndexKey<Db, 'products', 'category_id'>>().toEqualTypeOf<ItemId>();
expectTypeOf<IndexNames<Db, 'promotions'>>().toEqualTypeOf<'starts_at' | 'ends_at'>();
expectTypeOf<IndexKey<Db, 'promotions', 'ends_at'>>().toEqualTypeOf<number>();
expectTypeOf<StoreValue<Db, 'products'>>().toEqualTypeOf<Product>();
expectTypeOf<StoreValue<Db, 'categories'>>().toEqualTypeOf<Category>();
expectTypeOf<StoreValue<Db, 'promotions'>>().toEqualTypeOf<StoredPromotion>();
expectTypeOf<StoreValue<Db, 'metadata'>>().toEqualTypeOf<CollectionMeta>();
