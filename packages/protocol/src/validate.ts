import * as v from 'valibot';
import { LIMITS } from './constants.js';
import type { ErrorBody, ValidationIssue } from './errors.js';
import { issuePath, type PathStep } from './issuePath.js';
import { findUnsafe } from './safety.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/**
 * Validates untrusted input: first the prototype-key and depth scan, then the schema.
 * Never throws; a failure is an `invalid_payload` error body with per-field issues.
 */
export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  maxDepth: number = LIMITS.MAX_DEPTH,
): Validated<v.InferOutput<S>> {
  const unsafe = findUnsafe(input, maxDepth);
  if (unsafe) {
    const message =
      unsafe.kind === 'forbidden_key'
        ? `key "${unsafe.key}" is not allowed`
        : `nesting deeper than ${maxDepth} levels`;
    return {
      ok: false,
      error: { code: 'invalid_payload', message, issues: [{ path: unsafe.path, message }] },
    };
  }
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const issues: ValidationIssue[] = result.issues.slice(0, 20).map((issue) => ({
    path: issuePath((issue.path ?? []).map((item) => item.key as PathStep)),
    message: issue.message,
  }));
  const first = issues[0]!;
  return {
    ok: false,
    error: { code: 'invalid_payload', message: `${first.path}: ${first.message}`, issues },
  };
}
