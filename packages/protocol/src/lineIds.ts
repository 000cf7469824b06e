/**
 * The line id of an item: the one the POS gave, or `${order_id}:${index}` for an item without
 * one (every v1 order). Orders are never edited after publish, so an index is stable.
 */
export function lineIdAt(orderId: string, item: { line_id?: unknown }, index: number): string {
  return typeof item.line_id === 'string' && item.line_id !== ''
    ? item.line_id
    : `${orderId}:${index}`;
}
