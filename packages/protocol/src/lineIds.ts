/**
 * The line id of an item: the one the POS gave, or `${order_id}:${index}` for an item without
 * one (every v1 order). Orders are never edited after publish, so an index is stable.
 */
export function lineIdAt(orderId: string, item: object, index: number): string {
  const given = (item as { line_id?: unknown }).line_id;
  return typeof given === 'string' && given !== '' ? given : `${orderId}:${index}`;
}
