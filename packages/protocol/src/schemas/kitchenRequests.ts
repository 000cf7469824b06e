import * as v from 'valibot';
import { CourseSchema, LineIdSchema, LineVersionSchema } from './line.js';
import { IsoTimestampSchema, UuidSchema } from './primitives.js';

/** `order:item_update` (v1.1): a station bumps one line. `version` = the line's, as last seen. */
export const OrderItemUpdateSchema = v.strictObject({
  order_id: UuidSchema,
  line_id: LineIdSchema,
  status: v.picklist(['preparing', 'ready'], 'must be preparing or ready'),
  version: v.optional(LineVersionSchema),
  event_id: v.optional(UuidSchema),
});
export type OrderItemUpdate = v.InferOutput<typeof OrderItemUpdateSchema>;

/** `order:hold` (v1.1): hold a course (or the whole order) until `fire_at` or `order:fire`. */
export const OrderHoldSchema = v.strictObject({
  order_id: UuidSchema,
  course: v.optional(CourseSchema),
  fire_at: v.optional(IsoTimestampSchema),
  event_id: v.optional(UuidSchema),
});
export type OrderHold = v.InferOutput<typeof OrderHoldSchema>;

/** `order:fire` (v1.1): send a held course (or every held line) to the stations now. */
export const OrderFireSchema = v.strictObject({
  order_id: UuidSchema,
  course: v.optional(CourseSchema),
  event_id: v.optional(UuidSchema),
});
export type OrderFire = v.InferOutput<typeof OrderFireSchema>;

/** `order:recall` (v1.1): un-bump a line, or a whole ticket, within the recall window. */
export const OrderRecallSchema = v.strictObject({
  order_id: UuidSchema,
  line_id: v.optional(LineIdSchema),
  version: v.optional(LineVersionSchema),
  event_id: v.optional(UuidSchema),
});
export type OrderRecall = v.InferOutput<typeof OrderRecallSchema>;

/** `order:rush` (v1.1): the order jumps the queue (`priority: 'rush'`). */
export const OrderRushSchema = v.strictObject({
  order_id: UuidSchema,
  event_id: v.optional(UuidSchema),
});
export type OrderRush = v.InferOutput<typeof OrderRushSchema>;
