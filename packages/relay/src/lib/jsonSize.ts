/**
 * Bytes the value takes as JSON, or `Infinity` when it cannot be serialised (a structure
 * too deep for the stack counts as too large rather than crashing the handler).
 */
export function jsonSize(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : Buffer.byteLength(text);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
