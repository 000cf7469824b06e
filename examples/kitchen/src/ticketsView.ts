import type { KitchenOrder } from '@kitchen-sync/client/feed';
import type { OrderStatus } from '@kitchen-sync/protocol';

/** The one button a cook presses: each status moves to the next. */
/**
 * What a status step names: the version of the ticket the cook saw, so the relay refuses a step
 * made on a ticket that moved on since (a second tap, a bouncing key: stale, not handed out).
 * Not for a card that shows this screen's own step still on its way (an offline tablet): its
 * next step would be refused for that step alone, so it goes without one.
 */
export function stepVersion(order: KitchenOrder): { version?: number } {
  return order.pending ? {} : { version: order.version };
}

export const NEXT_STATUS: Partial<Record<OrderStatus, { status: OrderStatus; label: string }>> = {
  pending: { status: 'preparing', label: 'Mulai masak' },
  preparing: { status: 'ready', label: 'Siap diambil' },
  ready: { status: 'completed', label: 'Selesai' },
};

export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The order-level bump (whole ticket), or nothing once it is completed. */
export function statusButton(status: OrderStatus): HTMLButtonElement | null {
  const next = NEXT_STATUS[status];
  if (!next) return null;
  const bump = document.createElement('button');
  bump.type = 'button';
  bump.dataset.testid = 'bump';
  bump.dataset.next = next.status;
  bump.textContent = next.label;
  return bump;
}
