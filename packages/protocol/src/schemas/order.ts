import * as v from 'valibot';
import { LIMITS, ORDER_STATUSES, PRIORITIES } from '../constants.js';
import {
  DecimalStringSchema,
  IdSchema,
  IsoTimestampSchema,
  ShortTextSchema,
  TextSchema,
  UuidSchema,
} from './primitives.js';

export const OrderStatusSchema = v.picklist(ORDER_STATUSES, 'must be a known order status');

// Items and orders are loose: fields added by newer POS versions travel through untouched.
export const OrderItemSchema = v.looseObject({
  product_id: IdSchema,
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  quantity: v.pipe(
    v.number(),
    v.safeInteger('must be an integer'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(LIMITS.QUANTITY_MAX),
  ),
  price: v.optional(DecimalStringSchema),
  modifiers: v.optional(v.pipe(v.array(ShortTextSchema), v.maxLength(50))),
  notes: v.optional(TextSchema),
  station: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.ID_MAX_LENGTH))),
});
export type OrderItem = v.InferOutput<typeof OrderItemSchema>;

/** The payload of `order:publish` and of a `new_order` event. */
export const OrderSchema = v.looseObject({
  order_id: UuidSchema,
  order_number: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.ID_MAX_LENGTH)),
  outlet_id: IdSchema,
  tenant_id: IdSchema,
  tenant_name: v.optional(ShortTextSchema),
  status: OrderStatusSchema,
  items: v.pipe(
    v.array(OrderItemSchema),
    v.minLength(1, 'an order needs at least one item'),
    v.maxLength(LIMITS.ITEMS_MAX),
  ),
  total_amount: DecimalStringSchema,
  created_at: IsoTimestampSchema,
  source: v.optional(ShortTextSchema),
  table: v.optional(v.union([ShortTextSchema, v.pipe(v.number(), v.safeInteger())])),
  customer_name: v.optional(ShortTextSchema),
  priority: v.optional(v.picklist(PRIORITIES)),
  notes: v.optional(TextSchema),
});

export type Order = v.InferOutput<typeof OrderSchema>;

/** An order as the relay holds it: the published order plus its state. */
export const OrderStateSchema = v.looseObject({
  ...OrderSchema.entries,
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  updated_at: v.optional(IsoTimestampSchema),
  acknowledged_by: v.optional(v.array(v.string())),
  status_reason: v.optional(TextSchema),
  /** v1.1: when the order entered its status (a recall's window counts from it). */
  status_at: v.optional(IsoTimestampSchema),
  /**
   * v1.1: the `version` at which the order or one of its lines last changed status. A
   * whole-ticket recall naming an older version is stale; one naming a version an ack or a
   * rush moved on from is not.
   */
  status_version: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
});
export type OrderState = v.InferOutput<typeof OrderStateSchema>;
