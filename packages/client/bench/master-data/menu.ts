import type { Collection } from '../../src/master-data/types.js';
import { VersionedCatalog } from './catalog.js';

export interface MenuSize {
  products: number;
  categories: number;
}

/** A restaurant menu as the central API holds it: the benchmark's and the browser test's data. */
export class Menu {
  readonly catalogs: Record<Collection, VersionedCatalog>;
  #edits = 0;

  constructor(size: MenuSize) {
    this.catalogs = {
      products: new VersionedCatalog(),
      categories: new VersionedCatalog(),
      promotions: new VersionedCatalog(),
    };
    for (let c = 1; c <= size.categories; c++) {
      this.catalogs.categories.upsert({ id: c, name: `Category ${c}`, sort_order: c });
    }
    for (let p = 1; p <= size.products; p++) this.catalogs.products.upsert(product(p, size));
    this.catalogs.promotions.upsert({
      id: 1,
      name: 'Happy hour',
      discount: { percent: 20 },
      start_date: '2026-01-01',
      end_date: null,
    });
  }

  /**
   * Changes `count` existing products (a price update), spread over the whole menu: every
   * category and as many stored buckets as possible, the costly case for the cache.
   */
  changeProducts(count: number): void {
    const live = this.catalogs.products.live();
    // +1: a step that is a multiple of the category count would hit one category only.
    const step = Math.max(1, Math.floor(live.length / count)) + 1;
    this.#edits++;
    for (let i = 0; i < count && i < live.length; i++) {
      const row = live[(i * step) % live.length]!;
      const { version: _version, ...rest } = row;
      this.catalogs.products.upsert({ ...rest, price: String(10_000 + this.#edits * 500) });
    }
  }
}

function product(n: number, size: MenuSize) {
  return {
    id: n,
    sku: `SKU-${String(n).padStart(6, '0')}`,
    name: `Product ${n}`,
    description: 'Grilled, with rice and sambal on the side.',
    price: String(15_000 + (n % 40) * 1_000),
    category_id: (n % size.categories) + 1,
    image: `/media/products/${n}.webp`,
    is_active: true,
    updated_at: new Date(Date.UTC(2026, 0, 1) + n * 1_000).toISOString(),
  };
}
