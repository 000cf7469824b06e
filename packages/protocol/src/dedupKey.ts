// Kept apart from the schemas so a page that only de-duplicates never loads valibot.
/**
 * The key that identifies one event across sources (relay, central, poll). Sources that
 * send no `event_id` are keyed by what the event says: `type:order_id:status`, and
 * `:version` when the order carries one. A recall (protocol v1.1) takes an order through a
 * status again at a higher version, so without it a second "ready" would pass for the first.
 */
export function eventDedupKey(e: {
  event_id?: string | null;
  type: string;
  order_id?: string | null;
  data?: unknown;
}): string {
  if (e.event_id) return e.event_id;
  const { status, version } = (e.data ?? {}) as { status?: unknown; version?: unknown };
  return `${e.type}:${e.order_id ?? ''}:${typeof status === 'string' ? status : ''}${
    typeof version === 'number' ? `:${version}` : ''
  }`;
}
