import * as v from 'valibot';
import { LIMITS } from '../constants.js';
import { IdSchema, IsoTimestampSchema } from './primitives.js';

/** A line's id: unique within its order, unchanged for the order's life (v1.1). */
export const LineIdSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(LIMITS.ID_MAX_LENGTH, `must be at most ${LIMITS.ID_MAX_LENGTH} characters`),
);

/** The course a line belongs to (`1`, `2`, `"mains"`): what `order:hold`/`order:fire` name. */
export const CourseSchema = IdSchema;

/** One hold: a course (or, without `course`, every line not started), fired at `fire_at` or by `order:fire`. */
export const HoldSchema = v.strictObject({
  course: v.optional(CourseSchema),
  fire_at: v.optional(IsoTimestampSchema),
});
export type Hold = v.InferOutput<typeof HoldSchema>;

export const LineVersionSchema = v.pipe(
  v.number('must be a number'),
  v.safeInteger('must be an integer'),
  v.minValue(1, 'must be at least 1'),
);
