/**
 * Whether a value holds binary data (Socket.IO delivers attachments as Buffers). Such a value
 * would go out live as binary but be stored, replayed and polled as JSON: two different
 * orders. Call it on validated input only: validation already bounds the depth.
 */
export function containsBinary(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some(containsBinary);
}
