import type { OrderStatus } from './constants.js';
import { orderLines } from './orderLines.js';
import type { Order } from './schemas/order.js';
import type { OrderState } from './schemas/orderState.js';

/** The courses of the order's held lines, each once, as the POS gave them (`null`: no course). */
export function heldCourses(order: Order | OrderState): (string | number | null)[] {
  const courses: (string | number | null)[] = [];
  for (const line of orderLines(order)) {
    if (line.status !== 'held') continue;
    const course = line.course ?? null;
    if (!courses.some((seen) => String(seen) === String(course))) courses.push(course);
  }
  return courses;
}

/**
 * Why an order-level step to `status` is refused, or undefined when it may go. A `ready` or
 * `completed` order with a held line would hand out a course no station was asked to cook (and
 * a later fire of it would find nothing held). `cancelled` stays allowed: the way to drop a held
 * course is to cancel the order.
 */
export function heldLinesRefusal(
  order: Order | OrderState,
  status: OrderStatus,
): string | undefined {
  if (status !== 'ready' && status !== 'completed') return undefined;
  const courses = heldCourses(order);
  if (courses.length === 0) return undefined;
  const named = courses.filter((course) => course !== null);
  if (named.length === 1 && courses.length === 1) {
    return `course ${named[0]} is held: fire it first, or cancel the order`;
  }
  if (named.length === courses.length) {
    return `courses ${named.join(', ')} are held: fire them first, or cancel the order`;
  }
  return 'some lines are held: fire them first, or cancel the order';
}
