import {
  type EventEnvelope,
  eventTypeForStatus,
  type Order,
  type OrderStatus,
} from '@kitchen-sync/protocol';
import { makeState } from './orders.js';

/** The `new_order` envelope the relay sends for `order` at `seq`. */
export function newOrderEvent(order: Order, seq: number): EventEnvelope {
  return envelope(order, seq, 'pending', 1);
}

/** A status change envelope: the order as it stands after it, at `version`. */
export function statusEvent(
  order: Order,
  seq: number,
  status: OrderStatus,
  version: number,
): EventEnvelope {
  return envelope(order, seq, status, version);
}

function envelope(order: Order, seq: number, status: OrderStatus, version: number): EventEnvelope {
  return {
    seq,
    event_id: crypto.randomUUID(),
    type: eventTypeForStatus(status),
    outlet_id: order.outlet_id,
    tenant_id: order.tenant_id,
    order_id: order.order_id,
    data: makeState(order, status, version),
    ts: new Date(Date.UTC(2026, 0, 1, 12)).toISOString(),
  };
}
