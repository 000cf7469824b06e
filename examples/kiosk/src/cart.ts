import type { Offer } from './pricing';

export interface CartLine extends Offer {
  quantity: number;
}

/** How a line changed when the menu did, for the guest's notice. */
export type CartChange =
  | { kind: 'repriced'; name: string; from: number; to: number }
  | { kind: 'removed'; name: string; quantity: number };

/** What the guest is about to order, across the food court's tenants. */
export class Cart {
  #lines = new Map<string, CartLine>();

  get lines(): CartLine[] {
    return [...this.#lines.values()];
  }

  get isEmpty(): boolean {
    return this.#lines.size === 0;
  }

  add(offer: Offer): void {
    const key = String(offer.product.id);
    const line = this.#lines.get(key);
    this.#lines.set(key, { ...offer, quantity: (line?.quantity ?? 0) + 1 });
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

  /**
   * Brings every line to the menu as it stands now (`offerOf` answers from the latest sync):
   * a new price or promotion is taken, a product sold out or withdrawn leaves the cart. What
   * changed is returned so the guest is told before paying, not surprised at the counter.
   */
  reprice(offerOf: (productId: string) => Offer | null): CartChange[] {
    const changes: CartChange[] = [];
    for (const [key, line] of this.#lines) {
      const name = String(line.product.name ?? line.product.id);
      const offer = offerOf(key);
      if (!offer) {
        this.#lines.delete(key);
        changes.push({ kind: 'removed', name, quantity: line.quantity });
        continue;
      }
      if (offer.unitPrice !== line.unitPrice) {
        changes.push({ kind: 'repriced', name, from: line.unitPrice, to: offer.unitPrice });
      }
      this.#lines.set(key, { ...offer, quantity: line.quantity });
    }
    return changes;
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
  return line.unitPrice * line.quantity;
}
