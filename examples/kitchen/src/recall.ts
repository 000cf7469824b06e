import type { OrderOutbox } from '@kitchen-sync/client/outbox';
import { KITCHEN_LIMITS, type OrderState, orderLines } from '@kitchen-sync/protocol';

/** When the ticket was bumped: its last line going ready (handing it out does not move it). */
function bumpedAt(order: OrderState): number {
  const ready = orderLines(order).filter((line) => line.status === 'ready');
  if (ready.length === 0) return Date.parse(order.updated_at ?? order.created_at);
  return Math.max(...ready.map((line) => Date.parse(line.status_at)));
}

/**
 * Handed-out tickets expo may still recall (the guest came back, the food must be made
 * again): the relay reopens a completed order within `RECALL_WINDOW_MS` of its bump, by its
 * own clock, so `now` is the relay's (`createRelayClock`), not the tablet's.
 */
export function recallCandidates(orders: readonly OrderState[], now: number): OrderState[] {
  return orders.filter(
    (order) =>
      order.status === 'completed' && now - bumpedAt(order) <= KITCHEN_LIMITS.RECALL_WINDOW_MS,
  );
}

/**
 * Expo's recall of a whole ticket: `order:recall` with the order's version, so the relay
 * reopens it (`preparing`, every line with it) on every screen, the kiosk and the pickup
 * board too. If the ticket changed status since (another recall and a new bump) it is
 * answered `stale` and shows in "not sent"; an ack or a rush in between does not count.
 */
export function recallTicket(outbox: OrderOutbox, order: OrderState) {
  return outbox.enqueue('order:recall', { order_id: order.order_id, version: order.version });
}
