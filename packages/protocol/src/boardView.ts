import type { EventEnvelope } from './schemas/envelope.js';
import type { OrderState } from './schemas/orderState.js';

/**
 * What a `board` connection (a pickup board in the dining room) receives of an order: the
 * number it shows, the tenant's column, the status and its times, and what a feed needs to
 * keep the newest copy. An allow-list: the guest's name, phone and notes, the lines, the
 * table, a cancel reason, and any field a newer POS adds never reach a board.
 */
export const BOARD_ORDER_FIELDS = [
  'order_id',
  'order_number',
  'display_number',
  'outlet_id',
  'tenant_id',
  'tenant_name',
  'status',
  'status_at',
  'created_at',
  'updated_at',
  'version',
  'status_version',
  'source',
] as const;

/** A board's copy of an order: `BOARD_ORDER_FIELDS` only (no `items`). */
export type BoardOrder = Partial<
  Pick<OrderState, Exclude<(typeof BOARD_ORDER_FIELDS)[number], 'display_number'>>
> & {
  display_number?: unknown;
};

/** The order as a board may see it; anything that is not an object gives an empty one. */
export function boardOrder(order: unknown): BoardOrder {
  const view: Record<string, unknown> = {};
  if (typeof order !== 'object' || order === null) return view;
  const source = order as Record<string, unknown>;
  for (const field of BOARD_ORDER_FIELDS) {
    if (Object.hasOwn(source, field) && source[field] !== undefined) view[field] = source[field];
  }
  return view;
}

/** The event as a board receives it: the same envelope around `boardOrder(data)`. */
export function boardEnvelope(envelope: EventEnvelope): EventEnvelope<BoardOrder> {
  return { ...envelope, data: boardOrder(envelope.data) };
}
