import type { Product, Promotion } from '@kitchen-sync/client/master-data';
import { expect, test } from 'vitest';
import { Cart, lineTotal } from '../src/cart';
import { cartChangeText } from '../src/cartNotice';
import { MenuPricing } from '../src/pricing';

const product = (id: number, price: string, more: Partial<Product> = {}): Product => ({
  id,
  name: `P${id}`,
  price,
  tenant_id: 1,
  ...more,
});

const happyHour: Promotion = {
  id: 1,
  name: 'Happy Hour Kopi',
  discount_type: 'percent',
  discount_value: '20',
  product_ids: [301],
};

test('a promoted product is sold at the price its badge promises', () => {
  const pricing = new MenuPricing([product(301, '22000'), product(302, '18000')], [happyHour]);
  const cart = new Cart();
  cart.add(pricing.offer('301')!);
  cart.add(pricing.offer('302')!);
  expect(cart.lines.map(lineTotal)).toEqual([17600, 18000]);
  expect(pricing.offer('301')?.promotion?.name).toBe('Happy Hour Kopi');
  // A discount the kiosk cannot apply is no promotion at all (no badge, full price).
  const odd = new MenuPricing([product(301, '22000')], [{ ...happyHour, discount_type: 'bogo' }]);
  expect(odd.offer('301')?.unitPrice).toBe(22000);
  expect(odd.offer('301')?.promotion).toBeUndefined();
});

test('a new menu re-prices the cart and drops what is sold out or gone, and says so', () => {
  const before = new MenuPricing(
    [product(101, '25000'), product(102, '35000'), product(103, '38000')],
    [],
  );
  const cart = new Cart();
  for (const id of ['101', '101', '102', '103']) cart.add(before.offer(id)!);

  const after = new MenuPricing(
    [product(101, '31000'), product(102, '35000', { is_available: false })],
    [],
  );
  const changes = cart.reprice((id) => after.offer(id));

  expect(cart.lines.map((l) => [l.product.id, l.quantity, lineTotal(l)])).toEqual([
    [101, 2, 62000],
  ]);
  expect(changes).toEqual([
    { kind: 'repriced', name: 'P101', from: 25000, to: 31000 },
    { kind: 'removed', name: 'P102', quantity: 1 },
    { kind: 'removed', name: 'P103', quantity: 1 },
  ]);
  expect(after.offer('102')).toBeNull();
  expect(cartChangeText(changes)).toContain('P102 habis');
  expect(cart.reprice((id) => after.offer(id))).toEqual([]);
});
