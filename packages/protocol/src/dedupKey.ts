// Kept apart from the schemas so a page that only de-duplicates never loads valibot.

interface Keyed {
  event_id?: string | null;
  type: string;
  order_id?: string | null;
  data?: unknown;
}

/**
 * What an event says: `type:order_id:status`, and `:version` when the order carries one (and
 * `withVersion` is not false). A recall (protocol v1.1) takes an order through a status again
 * at a higher version, so without the version a second "ready" would pass for the first.
 */
export function eventContentKey(e: Keyed, withVersion = true): string {
  const { status, version } = (e.data ?? {}) as { status?: unknown; version?: unknown };
  return `${e.type}:${e.order_id ?? ''}:${typeof status === 'string' ? status : ''}${
    withVersion && typeof version === 'number' ? `:${version}` : ''
  }`;
}

/**
 * The key that identifies one event across sources (relay, central, poll): its `event_id`, or
 * for sources that send none, what the event says (`eventContentKey`).
 */
export function eventDedupKey(e: Keyed): string {
  return e.event_id || eventContentKey(e);
}
