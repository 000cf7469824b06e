import type { Category, Product, Promotion } from '@kitchen-sync/client/master-data';
import { rupiah } from '../../shared/indicators';

export interface MenuData {
  tenants: Array<{ id: number | string; name: string }>;
  categories: Category[];
  products: Product[];
  promotions: Promotion[];
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

function productCard(product: Product, promotion: Promotion | undefined): HTMLElement {
  const card = element('article', 'product');
  card.append(
    element('span', 'name', String(product.name ?? product.id)),
    element('span', 'desc', String(product.description ?? '')),
  );
  if (promotion) card.append(element('span', 'promo', String(promotion.name ?? 'Promo')));
  const row = element('div', 'row');
  const add = element('button', '', 'Tambah');
  add.type = 'button';
  add.dataset.testid = 'cart-add';
  add.dataset.productId = String(product.id);
  row.append(element('b', '', rupiah(product.price ?? 0)), add);
  card.append(row);
  return card;
}

/** Tenant → category → products, in the order central gives. */
export function renderMenu(container: HTMLElement, menu: MenuData): void {
  const promoByProduct = new Map<string, Promotion>();
  for (const promotion of menu.promotions) {
    const ids = Array.isArray(promotion.product_ids) ? promotion.product_ids : [];
    for (const id of ids) promoByProduct.set(String(id), promotion);
  }
  const sections = menu.tenants.map((tenant) => {
    const section = element('section', 'tenant');
    section.append(element('h2', '', tenant.name));
    const categories = menu.categories
      .filter((c) => String(c.tenant_id) === String(tenant.id))
      .sort((a, b) => Number(a.sort_order ?? 0) - Number(b.sort_order ?? 0));
    for (const category of categories) {
      const products = menu.products.filter(
        (p) => String(p.category_id) === String(category.id) && p.is_available !== false,
      );
      if (products.length === 0) continue;
      const grid = element('div', 'products');
      grid.append(...products.map((p) => productCard(p, promoByProduct.get(String(p.id)))));
      section.append(element('h3', '', String(category.name ?? '')), grid);
    }
    return section;
  });
  container.replaceChildren(...sections);
}
