import { isFinalStatus, ORDER_STATUSES, type OrderStatus } from '@kitchen-sync/protocol';
import type { LoggedEvent } from './outletLog.js';

/** How far back an order's latest event may be and still count (Django's default, 12 h). */
export const OPEN_ORDERS_WINDOW_MS = 12 * 60 * 60 * 1000;

const statuses: readonly string[] = ORDER_STATUSES;

function statusOf(data: unknown): OrderStatus | null {
  const status = (data as { status?: unknown } | null)?.status;
  return typeof status === 'string' && statuses.includes(status) ? (status as OrderStatus) : null;
}

function orderIdOf(data: unknown): string | null {
  const id = (data as { order_id?: unknown } | null)?.order_id;
  return typeof id === 'string' ? id : null;
}

/**
 * Each order's latest event in `events` (oldest first) that leaves it open, in log order, as
 * Django's open_orders.py picks them for a socket without a cursor: a screen that starts
 * without one (new, or its browser data cleared) would otherwise show only the orders booked
 * after it connected. By the status, not the type: an acknowledgement may follow a completion.
 * Only orders whose latest event was logged at or after `loggedAfter`, and that `wants` lets
 * the socket see.
 */
export function openOrders(
  events: readonly LoggedEvent[],
  loggedAfter: number,
  wants: (tenantId: string | null) => boolean,
): LoggedEvent[] {
  const latest = new Map<string, LoggedEvent>();
  for (const logged of events) {
    const orderId = orderIdOf(logged.data);
    if (orderId !== null) latest.set(orderId, logged);
  }
  return [...latest.values()]
    .filter((logged) => {
      const status = statusOf(logged.data);
      return (
        status !== null &&
        !isFinalStatus(status) &&
        logged.loggedAt >= loggedAfter &&
        wants(logged.tenantId)
      );
    })
    .sort((a, b) => a.seq - b.seq);
}
