/**
 * Bytes the value takes as JSON; `NaN` for a structure too deep for the stack (the caller
 * refuses it as nesting, not as size), `Infinity` when it cannot be serialised at all.
 */
export function jsonSize(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : Buffer.byteLength(text);
  } catch (error) {
    return error instanceof RangeError ? Number.NaN : Number.POSITIVE_INFINITY;
  }
}
