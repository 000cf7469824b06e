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
