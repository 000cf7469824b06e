import type { Product } from '@kitchen-sync/client/master-data';

export interface CartLine {
  product: Product;
  quantity: number;
}

/** What the guest is about to order, across the food court's tenants. */
export class Cart {
  #lines = new Map<string, CartLine>();

  get lines(): CartLine[] {
    return [...this.#lines.values()];
  }

  get isEmpty(): boolean {
    return this.#lines.size === 0;
  }

  add(product: Product): void {
    const key = String(product.id);
    const line = this.#lines.get(key);
    this.#lines.set(key, { product, quantity: (line?.quantity ?? 0) + 1 });
  }

  remove(productId: string): void {
    const line = this.#lines.get(productId);
    if (!line) return;
    if (line.quantity > 1) line.quantity -= 1;
    else this.#lines.delete(productId);
  }

  clear(): void {
    this.#lines.clear();
  }

  /** Every tenant cooks its own part: one kitchen order per tenant. */
  byTenant(): Map<string, CartLine[]> {
    const groups = new Map<string, CartLine[]>();
    for (const line of this.#lines.values()) {
      const tenant = String(line.product.tenant_id);
      groups.set(tenant, [...(groups.get(tenant) ?? []), line]);
    }
    return groups;
  }
}

/** Rupiah have no minor unit in practice; integers keep the sum exact. */
export function lineTotal(line: CartLine): number {
  return Number(line.product.price ?? 0) * line.quantity;
}
