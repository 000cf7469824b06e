/**
 * `order_id` and `event_id` in lower case. A UUID names the same thing in either case, and
 * they are the relay's idempotency keys: compared as given, "A1B2…" and "a1b2…" were two
 * orders in the log (and one in central's UUIDField). Lower case is what RFC 9562 prints and
 * what the client's uuidv7() makes.
 */
export function canonicalIds<T>(value: T): T {
  const ids = value as { order_id?: unknown; event_id?: unknown };
  const lower = (id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id);
  if (lower(ids.order_id) === ids.order_id && lower(ids.event_id) === ids.event_id) return value;
  return {
    ...value,
    ...(ids.order_id !== undefined ? { order_id: lower(ids.order_id) } : {}),
    ...(ids.event_id !== undefined ? { event_id: lower(ids.event_id) } : {}),
  };
}
