import * as v from 'valibot';
import { LIMITS, ORDER_STATUSES, PRIORITIES } from '../constants.js';
import { lineIdAt } from '../lineIds.js';
import { CourseSchema, HoldSchema, LineIdSchema } from './line.js';
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
  // v1.1. The line's state (`status`, `version`, ...) is the relay's: not validated here, since
  // a v1 POS may send fields of those names, and the relay replaces them on publish.
  line_id: v.optional(LineIdSchema),
  course: v.optional(CourseSchema),
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
  /** v1.1: lines held from the start; the relay turns them into held lines. */
  hold: v.optional(v.pipe(v.array(HoldSchema), v.maxLength(LIMITS.HOLDS_MAX))),
});

/** The publish payload: an order whose line ids are unique and whose holds name its courses. */
export const PublishedOrderSchema = v.pipe(
  OrderSchema,
  v.forward(
    v.check(
      (order) => uniqueLineIds(order.order_id, order.items),
      'line ids must be unique within the order',
    ),
    ['items'],
  ),
  v.forward(
    v.check(
      (order) => (order.hold ?? []).every((hold) => hasCourse(order.items, hold.course)),
      'a hold names a course that no item of the order has',
    ),
    ['hold'],
  ),
);
export type Order = v.InferOutput<typeof OrderSchema>;

function uniqueLineIds(orderId: string, items: readonly { line_id?: string }[]): boolean {
  const seen = new Set<string>();
  for (let index = 0; index < items.length; index++) {
    const id = lineIdAt(orderId, items[index]!, index);
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

function hasCourse(items: readonly { course?: string | number }[], course?: string | number) {
  return course === undefined || items.some((item) => String(item.course) === String(course));
}

/** An order as the relay holds it: the published order plus its state. */
export const OrderStateSchema = v.looseObject({
  ...OrderSchema.entries,
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  updated_at: v.optional(IsoTimestampSchema),
  acknowledged_by: v.optional(v.array(v.string())),
  status_reason: v.optional(TextSchema),
  /** v1.1: when the order entered its status (a recall's window counts from it). */
  status_at: v.optional(IsoTimestampSchema),
});
export type OrderState = v.InferOutput<typeof OrderStateSchema>;
