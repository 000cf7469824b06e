// Kept apart from the schemas so a page that only de-duplicates never loads valibot.
/**
 * The key that identifies one event across sources (relay, central, poll). Sources that
 * send no `event_id` are keyed by what the event says.
 */
export function eventDedupKey(e: {
  event_id?: string | null;
  type: string;
  order_id?: string | null;
  data?: unknown;
}): string {
  if (e.event_id) return e.event_id;
  const status = (e.data as { status?: unknown } | null | undefined)?.status;
  return `${e.type}:${e.order_id ?? ''}:${typeof status === 'string' ? status : ''}`;
}
