import { EVENT_TYPES, type OrderEventType, type OrderStatus } from './constants.js';

const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['preparing', 'cancelled'],
  preparing: ['ready', 'cancelled'],
  ready: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export function isFinalStatus(status: OrderStatus): boolean {
  return NEXT[status].length === 0;
}

/** `pending → preparing → ready → completed`, `cancelled` from any non-final state. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** The event a status change emits. */
export function eventTypeForStatus(to: OrderStatus): OrderEventType {
  switch (to) {
    case 'completed':
      return EVENT_TYPES.ORDER_COMPLETED;
    case 'cancelled':
      return EVENT_TYPES.ORDER_CANCELLED;
    case 'pending':
      return EVENT_TYPES.NEW_ORDER;
    default:
      return EVENT_TYPES.ORDER_UPDATED;
  }
}
