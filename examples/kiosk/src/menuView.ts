import type { Category, Product } from '@kitchen-sync/client/master-data';
import { rupiah } from '../../shared/indicators';
import type { MenuPricing, Offer } from './pricing';

export interface MenuData {
  tenants: Array<{ id: number | string; name: string }>;
  categories: Category[];
  products: Product[];
  /** What each product sells for now; a product without an offer is not shown. */
  pricing: MenuPricing;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function productCard(offer: Offer): HTMLElement {
  const { product, promotion, unitPrice } = offer;
  const card = element('article', 'product');
  card.append(
    element('span', 'name', String(product.name ?? product.id)),
    element('span', 'desc', String(product.description ?? '')),
  );
  // Only a promotion the cart applies gets a badge: the till charges what the card says.
  if (promotion) card.append(element('span', 'promo', String(promotion.name ?? 'Promo')));
  const row = element('div', 'row');
  const add = element('button', '', 'Tambah');
  add.type = 'button';
  add.dataset.testid = 'cart-add';
  add.dataset.productId = String(product.id);
  const price = element('span', 'price');
  price.append(element('b', '', rupiah(unitPrice)));
  if (promotion) price.append(' ', element('s', 'was', rupiah(product.price ?? 0)));
  row.append(price, add);
  card.append(row);
  return card;
}

/** Tenant → category → products, in the order central gives; sold-out products are left out. */
export function renderMenu(container: HTMLElement, menu: MenuData): void {
  const sections = menu.tenants.map((tenant) => {
    const section = element('section', 'tenant');
    section.append(element('h2', '', tenant.name));
    const categories = menu.categories
      .filter((c) => String(c.tenant_id) === String(tenant.id))
      .sort((a, b) => Number(a.sort_order ?? 0) - Number(b.sort_order ?? 0));
    for (const category of categories) {
      const offers = menu.products
        .filter((p) => String(p.category_id) === String(category.id))
        .map((p) => menu.pricing.offer(String(p.id)))
        .filter((offer): offer is Offer => offer !== null);
      if (offers.length === 0) continue;
      const grid = element('div', 'products');
      grid.append(...offers.map(productCard));
      section.append(element('h3', '', String(category.name ?? '')), grid);
    }
    return section;
  });
  container.replaceChildren(...sections);
}
