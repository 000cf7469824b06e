import * as v from 'valibot';
import { LIMITS } from '../constants.js';
import { IdSchema } from './primitives.js';

const numberFromQuery = (min: number, max: number) =>
  v.pipe(
    v.union([v.string(), v.number()]),
    // Plain digits only: `Number()` alone would also read "0x10", "1e3", "0b11" and " 5 ".
    v.transform((s) => (typeof s === 'number' ? s : /^\d+$/.test(s) ? Number(s) : Number.NaN)),
    v.number('must be a number'),
    v.safeInteger('must be an integer'),
    v.minValue(min),
    v.maxValue(max),
  );

/** `GET /api/events` query string. */
export const EventsQuerySchema = v.object({
  outlet_id: v.optional(IdSchema),
  since: v.optional(numberFromQuery(0, Number.MAX_SAFE_INTEGER)),
  limit: v.optional(numberFromQuery(1, LIMITS.EVENTS_PAGE_MAX)),
  wait: v.optional(numberFromQuery(0, LIMITS.MAX_WAIT_MS)),
  epoch: v.optional(v.pipe(v.string(), v.maxLength(64))),
  since_event: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
export type EventsQuery = v.InferOutput<typeof EventsQuerySchema>;

/** `GET /api/orders` (compatibility with the users' first relay). */
export const OrdersQuerySchema = v.object({
  outlet_id: v.optional(IdSchema),
  since_id: v.optional(numberFromQuery(0, Number.MAX_SAFE_INTEGER)),
});
export type OrdersQuery = v.InferOutput<typeof OrdersQuerySchema>;
