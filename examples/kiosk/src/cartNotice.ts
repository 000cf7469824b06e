import { rupiah } from '../../shared/indicators';
import type { CartChange } from './cart';

/** What the guest reads when the menu changed under the cart (the page speaks Indonesian). */
export function cartChangeText(changes: CartChange[]): string {
  const parts = changes.map((change) =>
    change.kind === 'repriced'
      ? `harga ${change.name} sekarang ${rupiah(change.to)} (sebelumnya ${rupiah(change.from)})`
      : `${change.name} habis atau tidak dijual lagi, dihapus dari keranjang`,
  );
  return `Menu baru saja diperbarui: ${parts.join('; ')}.`;
}
