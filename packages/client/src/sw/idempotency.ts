export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * The key every attempt of one order carries: the header the page set, else the body's
 * `order_id` (DESIGN §3: the idempotency key everywhere), else `null` and the caller makes one
 * up once, at enqueue time, so every retry still carries the same key.
 */
export function idempotencyKeyFor(
  headers: Record<string, string>,
  body: ArrayBuffer | undefined,
): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'idempotency-key' && value.trim() !== '') return value.trim();
  }
  return orderIdOf(body);
}

/** The body's top-level `order_id` (string or number), or `null` for any other body. */
export function orderIdOf(body: ArrayBuffer | undefined): string | null {
  if (!body || body.byteLength === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const id = (parsed as { order_id?: unknown }).order_id;
  if (typeof id === 'string' && id.trim() !== '' && id.length <= 128) return id.trim();
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return null;
}
