import type {
  Order,
  OrderAck,
  OrderFire,
  OrderHold,
  OrderItemUpdate,
  OrderRecall,
  OrderRush,
  OrderState,
  OrderUpdate,
  RequestType,
} from '@kitchen-sync/protocol';
import type { OutboxFailureCode } from '../errors.js';

/** Why the last attempt failed, or why an entry was rejected. `status` is set for HTTP answers. */
export interface OutboxFailure {
  code: OutboxFailureCode;
  message: string;
  status?: number;
  /**
   * With code `stale` (a v1.1 command, or a v1.2 `order:update`, whose `version` was no longer
   * current: the relay changed nothing): the order as the relay had it, what came first.
   */
  order?: OrderState;
}

export interface OutboxPayloads {
  'order:publish': Order;
  'order:update': OrderUpdate;
  'order:ack': OrderAck;
  // v1.1 kitchen commands: line bumps, hold & fire, recall, rush.
  'order:item_update': OrderItemUpdate;
  'order:hold': OrderHold;
  'order:fire': OrderFire;
  'order:recall': OrderRecall;
  'order:rush': OrderRush;
}

/** What `enqueue` takes: every request but a new order, which goes through `submit`. */
export type EnqueueType = Exclude<RequestType, 'order:publish'>;

/** One request waiting for the relay's acknowledgement. `id` is the submission order. */
export interface OutboxEntry<T extends RequestType = RequestType> {
  id: number;
  type: T;
  payload: OutboxPayloads[T];
  order_id: string;
  queued_at: number;
  attempts: number;
  last_error: OutboxFailure | null;
}

/** An entry the relay refused: kept and shown until the app retries or discards it. */
export interface RejectedEntry extends OutboxEntry {
  rejected_at: number;
  error: OutboxFailure;
}
