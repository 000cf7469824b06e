import * as v from 'valibot';
import { LIMITS } from '../constants.js';

/** `outlet_id`, `tenant_id`, `product_id`: integer or non-empty string of at most 64 chars. */
export const IdSchema = v.union(
  [
    v.pipe(v.number(), v.safeInteger('must be an integer or a string')),
    v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(LIMITS.ID_MAX_LENGTH, `must be at most ${LIMITS.ID_MAX_LENGTH} characters`),
    ),
  ],
  'must be an integer or a non-empty string of at most 64 characters',
);
export type Id = v.InferOutput<typeof IdSchema>;

/** Ids are compared by their string form: outlet 1 and outlet "1" are the same outlet. */
export function idKey(id: Id): string {
  return String(id);
}

export const UuidSchema = v.pipe(v.string(), v.uuid('must be a UUID'));

export const ClientIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.ID_MAX_LENGTH));

/** Money travels as a decimal string so no float rounding ever touches a price. */
export const DecimalStringSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be a decimal string such as "150000" or "12.50"'),
);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

// V8's Date.parse rolls "2025-02-30" over to March 2 instead of refusing it.
function isCalendarDate(s: string): boolean {
  const [year, month, day] = [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10)].map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!);
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day;
}

export const IsoTimestampSchema = v.pipe(
  v.string(),
  v.regex(ISO_8601, 'must be an ISO 8601 timestamp'),
  v.check((s) => !Number.isNaN(Date.parse(s)) && isCalendarDate(s), 'must be a valid date'),
);

export const TextSchema = v.pipe(v.string(), v.maxLength(LIMITS.TEXT_MAX_LENGTH));

export const ShortTextSchema = v.pipe(v.string(), v.maxLength(LIMITS.ID_MAX_LENGTH * 2));

export const SeqSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
