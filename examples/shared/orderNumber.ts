/** What a screen needs to name an order for people. */
export interface NumberedOrder {
  order_number: string;
  /** The checkout's queue number (`A042`), minted by the kiosk; other POSes may leave it out. */
  display_number?: unknown;
}

/**
 * The number a guest reads on the receipt and the pickup board, and a cook on the ticket: the
 * kiosk's queue number, or the whole `order_number` from a POS that mints none (never a cut of
 * it: the last digits of a timestamp repeat every few seconds' worth of orders).
 */
export function displayNumber(order: NumberedOrder): string {
  const short = order.display_number;
  return typeof short === 'string' && short !== '' ? short : order.order_number;
}

/** The same number as a ticket label: `#A042` (a full `order_number` stays as it is). */
export function ticketLabel(order: NumberedOrder): string {
  const short = order.display_number;
  return typeof short === 'string' && short !== '' ? `#${short}` : order.order_number;
}
