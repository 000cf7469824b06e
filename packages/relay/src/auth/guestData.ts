import {
  boardEnvelope,
  boardOrder,
  type EventEnvelope,
  type OrderState,
} from '@kitchen-sync/protocol';
import type { Principal } from './principal.js';

/**
 * A `board` (a pickup board in the dining room) reads every order of its outlet but receives
 * none of the guests' data: each order cut to `BOARD_ORDER_FIELDS` (protocol's boardView.ts).
 */
export const seesGuestData = (principal: Principal | null): boolean => principal?.role !== 'board';

/** The event as this client may receive it. */
export const envelopeFor = (principal: Principal | null, envelope: EventEnvelope): EventEnvelope =>
  seesGuestData(principal) ? envelope : boardEnvelope(envelope);

/** The orders as this client may receive them. */
export const ordersFor = (principal: Principal | null, orders: OrderState[]): OrderState[] =>
  seesGuestData(principal) ? orders : (orders.map(boardOrder) as OrderState[]);
