import type { Product, Promotion } from '@kitchen-sync/client/master-data';

/** What the kiosk charges for one of a product now: its price, less a running promotion. */
export interface Offer {
  product: Product;
  unitPrice: number;
  promotion?: Promotion;
}

/** Sold out (`is_available: false`) or withdrawn products are shown nowhere and sold never. */
export function isOrderable(product: Product): boolean {
  return product.is_available !== false && product.is_active !== false && product.deleted !== true;
}

/**
 * The price after `promotion`, or null when the kiosk cannot apply it (an unknown discount
 * type, an unreadable value): a badge the till would not honour is not shown at all.
 * Rupiah have no minor unit in practice, so the result is rounded to whole rupiah.
 */
export function discountedPrice(price: number, promotion: Promotion): number | null {
  const value = Number(promotion.discount_value);
  if (!Number.isFinite(value) || value < 0) return null;
  if (promotion.discount_type === 'percent' && value <= 100) {
    return Math.round((price * (100 - value)) / 100);
  }
  if (promotion.discount_type === 'amount') return Math.max(0, price - value);
  return null;
}

/** The menu as it stands after the latest sync: what each product id sells for, if at all. */
export class MenuPricing {
  readonly #offers = new Map<string, Offer>();

  constructor(products: Product[], promotions: Promotion[]) {
    const promotionOf = new Map<string, Promotion>();
    for (const promotion of promotions) {
      const ids = Array.isArray(promotion.product_ids) ? promotion.product_ids : [];
      for (const id of ids) promotionOf.set(String(id), promotion);
    }
    for (const product of products) {
      if (!isOrderable(product)) continue;
      const price = Number(product.price ?? 0);
      const promotion = promotionOf.get(String(product.id));
      const discounted = promotion ? discountedPrice(price, promotion) : null;
      this.#offers.set(
        String(product.id),
        promotion && discounted !== null
          ? { product, unitPrice: discounted, promotion }
          : { product, unitPrice: price },
      );
    }
  }

  /** null: not on the menu any more, sold out, or never was. */
  offer(productId: string): Offer | null {
    return this.#offers.get(productId) ?? null;
  }
}
