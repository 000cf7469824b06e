export type {
  OrderOutbox,
  OrderOutboxOptions,
  OutboxChannel,
  OutboxEvents,
  OutboxLockState,
  OutboxLocks,
  OutboxStatus,
} from './orderOutbox.js';
export { createOrderOutbox } from './orderOutbox.js';
export type { OutboxEntry, OutboxFailure, RejectedEntry } from './types.js';
