import type { ItemStatus, OrderStatus } from './constants.js';

// `held → pending` is `order:fire`'s; `ready → preparing` is `order:recall`'s: neither is an
// `order:item_update`, which only moves a line forward.
const NEXT: Readonly<Record<ItemStatus, readonly ItemStatus[]>> = {
  held: ['pending'],
  pending: ['preparing', 'ready'],
  preparing: ['ready'],
  ready: [],
};

/** `held → pending → preparing → ready`, skipping `preparing` allowed (a one-touch bump). */
export function canItemTransition(from: ItemStatus, to: ItemStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * The order's status given its lines: `ready` when every line is, `preparing` once one line
 * was started (or the order already was), `pending` otherwise. Final orders keep theirs.
 */
export function orderStatusFromLines(
  current: OrderStatus,
  lines: readonly { status: ItemStatus }[],
): OrderStatus {
  if (current === 'completed' || current === 'cancelled') return current;
  if (lines.every((line) => line.status === 'ready')) return 'ready';
  const started = lines.some((line) => line.status === 'preparing' || line.status === 'ready');
  return started || current !== 'pending' ? 'preparing' : 'pending';
}
