import * as v from 'valibot';
import { KITCHEN_LIMITS, LIMITS } from '../constants.js';
import { lineIdAt } from '../lineIds.js';
import { CourseSchema, HoldSchema, LineIdSchema } from './line.js';
import { OrderItemSchema, OrderSchema } from './order.js';

// v1.1's publish fields live here, not in OrderSchema, so the client bundles that validate
// v1 orders do not carry them (to v1 code they are extension fields, kept as they are).

/** An item as a v1.1 POS publishes it. Its state (`status`, `version`, ...) is the relay's:
 * not validated, since a v1 POS may send fields of those names; the relay replaces them. */
export const PublishedItemSchema = v.looseObject({
  ...OrderItemSchema.entries,
  line_id: v.optional(LineIdSchema),
  course: v.optional(CourseSchema),
});

/** `order:publish` (v1.1): line ids unique (derived ones too), holds naming its courses. */
export const PublishedOrderSchema = /* @__PURE__ */ v.pipe(
  v.looseObject({
    ...OrderSchema.entries,
    items: v.pipe(
      v.array(PublishedItemSchema),
      v.minLength(1, 'an order needs at least one item'),
      v.maxLength(LIMITS.ITEMS_MAX),
    ),
    /** Lines held from the start; the relay turns them into held lines. */
    hold: v.optional(v.pipe(v.array(HoldSchema), v.maxLength(KITCHEN_LIMITS.HOLDS_MAX))),
  }),
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

export type PublishedOrder = v.InferOutput<typeof PublishedOrderSchema>;

function uniqueLineIds(orderId: string, items: readonly { line_id?: string }[]): boolean {
  const seen = new Set<string>();
  // Derived ids as the relay stores them: from the order_id it keeps in lower case, so a
  // given `u:0` beside an item without an id in order `U` is the duplicate it will be.
  const keptId = orderId.toLowerCase();
  for (let index = 0; index < items.length; index++) {
    const id = lineIdAt(keptId, items[index]!, index);
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

function hasCourse(items: readonly { course?: string | number }[], course?: string | number) {
  return course === undefined || items.some((item) => String(item.course) === String(course));
}
