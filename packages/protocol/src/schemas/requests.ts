import * as v from 'valibot';
import { LIMITS, REQUEST_TYPES } from '../constants.js';
import { LineVersionSchema } from './line.js';
import { OrderStatusSchema } from './order.js';
import { ClientIdSchema, SeqSchema, TextSchema, UuidSchema } from './primitives.js';

/**
 * `order:update` — change an order's status. `version` (v1.2) = the order's, as the screen last
 * saw it: a step the screen did not see the order reach is refused as stale.
 */
export const OrderUpdateSchema = v.strictObject({
  order_id: UuidSchema,
  status: OrderStatusSchema,
  version: v.optional(LineVersionSchema),
  event_id: v.optional(UuidSchema),
  reason: v.optional(TextSchema),
});
export type OrderUpdate = v.InferOutput<typeof OrderUpdateSchema>;

/** `order:ack` — a kitchen confirms it received an order. */
export const OrderAckSchema = v.strictObject({
  order_id: UuidSchema,
  event_id: v.optional(UuidSchema),
});
export type OrderAck = v.InferOutput<typeof OrderAckSchema>;

/** Socket.IO handshake `auth`. */
export const HandshakeAuthSchema = v.strictObject({
  token: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.TOKEN_MAX_LENGTH))),
  client_id: v.optional(ClientIdSchema),
  since: v.optional(SeqSchema),
  epoch: v.optional(v.pipe(v.string(), v.maxLength(64))),
  /** The `event_id` of the event the client applied at `since`: lets the relay prove its log went back. */
  since_event: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
export type HandshakeAuth = v.InferOutput<typeof HandshakeAuthSchema>;

/** `POST /api/events` body: one socket request carried over HTTP. */
export const HttpEventRequestSchema = v.strictObject({
  type: v.picklist(REQUEST_TYPES, `must be one of ${REQUEST_TYPES.join(', ')}`),
  payload: v.unknown(),
});
export type HttpEventRequest = v.InferOutput<typeof HttpEventRequestSchema>;
