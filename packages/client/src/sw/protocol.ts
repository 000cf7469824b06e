/**
 * What the service worker and the page say to each other. Shared by `./sw` and `./sw-manager`,
 * so it must stay free of imports: the page bundle pulls it in without any Workbox code.
 */

/** Workbox's queue name; its sync tag is `workbox-background-sync:<name>`. */
export const ORDER_QUEUE_NAME = 'order-sync-queue';

export const SW_MESSAGES = {
  /** Page → SW: activate the waiting version now. */
  SKIP_WAITING: 'SKIP_WAITING',
  /** Page → SW: replay the queue now; answered on the MessagePort with a `SyncResult`. */
  SYNC_NOW: 'SYNC_NOW',
  /** Page → SW: answered on the MessagePort with a `QueueStatus`. */
  QUEUE_STATUS: 'QUEUE_STATUS',
  /** Page → SW: the page is online again (no Background Sync API everywhere); replays. */
  ONLINE: 'ONLINE',
  /** Page → SW `{ ids }`: the staff has seen these rejected orders; answered with a `QueueStatus`. */
  DISMISS_REJECTED: 'DISMISS_REJECTED',
  /**
   * Page → SW `{ id }`: send this rejected order once more, with its own `Idempotency-Key`;
   * answered with a `RetryResult`.
   */
  RETRY_REJECTED: 'RETRY_REJECTED',
  /** SW → every window: the queue changed; `{ type, summary: QueueSummary }`. */
  QUEUE_CHANGED: 'KITCHEN_SYNC_QUEUE_CHANGED',
} as const;

export type SwMessageType = (typeof SW_MESSAGES)[keyof typeof SW_MESSAGES];

/** An order POST waiting in the queue. */
export interface QueuedOrder {
  /** The queue entry's id; ascending ids are the replay order. */
  id: number;
  /** The `Idempotency-Key` sent with every attempt. */
  idempotencyKey: string;
  /** The body's `order_id`, when it has one. */
  orderId: string | null;
  url: string;
  /** ms since epoch, when the page sent it. */
  queuedAt: number;
  /** The request body as text (the order JSON), so the page can show what is waiting. */
  body: string | null;
}

/**
 * An order POST the backend refused (a 4xx other than 408/425/429), or one past the retention whose
 * last attempt failed (`expired`).
 */
export interface RejectedOrder extends QueuedOrder {
  reason: 'rejected' | 'expired';
  /** The HTTP status of the refusal or of the failed last attempt; 0 when no answer came. */
  status: number;
  /** The start of the backend's answer (it usually says why), at most 4 KiB. */
  response: string | null;
  rejectedAt: number;
}

export interface QueueStatus {
  pending: QueuedOrder[];
  rejected: RejectedOrder[];
}

export interface QueueSummary {
  pending: number;
  rejected: number;
}

/** The answer to `SYNC_NOW`: counts for this replay run, and what is still waiting. */
export interface SyncResult {
  /** Delivered in this run, `expired` orders it resent by itself included. */
  replayed: number;
  /** Still queued after this run (the backend or the network failed on the first of them). */
  remaining: number;
  /** Moved to the rejected list in this run. */
  rejected: number;
}

/**
 * The answer to `RETRY_REJECTED`: `delivered` (it left the rejected list), `rejected` (refused
 * again; its reason, status and answer are updated), `retry` (no answer or a 5xx/408/425/429; it stays
 * listed), `not_found` (no rejected order has this id, e.g. already delivered or dismissed).
 */
export interface RetryResult {
  outcome: 'delivered' | 'rejected' | 'retry' | 'not_found';
  /** The HTTP status of this attempt; 0 when no answer came or nothing was sent. */
  status: number;
}
