import type { OrderState, OrderStatus } from '@kitchen-sync/protocol';

/** One order as the feed holds and persists it. */
export interface FeedRecord {
  order_id: string;
  order: OrderState;
  /** The seq that first brought the order: tie-break for orders created in the same ms. */
  seq: number;
  created_ms: number;
  /** Local ms when the order was first seen completed or cancelled; kept for "recall". */
  finished_at: number | null;
  /**
   * Local ms when a snapshot of a new relay log (another epoch) did not list the order: the
   * relay lost it, so it cannot resend it. Absent in records stored by earlier versions.
   */
  orphaned_at?: number | null;
  /**
   * Central brought the order and the relay has not yet (the relay was down, or the POS's copy
   * is on its way): a relay snapshot without it must not take it off the screen.
   */
  awaiting_relay?: boolean;
  /**
   * Local ms when a relay snapshot first did not list an `awaiting_relay` order. It may be one
   * the relay closed while this screen was away from it (central does not relay the outlet's
   * own changes back), so it goes `keepOrphanedMs` later unless the relay brings it meanwhile.
   */
  unlisted_at?: number | null;
  /** The screen acknowledged an `awaiting_relay` order: the ack goes once the relay has it. */
  ack_waiting?: boolean;
}

/** An order as a kitchen screen shows it. */
export type KitchenOrder = OrderState & {
  seq: number;
  /** True while `status` is this screen's own change, not yet confirmed by the relay. */
  pending: boolean;
  /** The status the relay last confirmed. */
  confirmed_status: OrderStatus;
  /** The relay's log was recreated without this order: it is kept here, and changed here only. */
  orphaned: boolean;
};

export interface AlertSettings {
  sound: boolean;
  notification: boolean;
}
