export type { OutboxFailureCode } from '../errors.js';
export type {
  OrderOutbox,
  OrderOutboxOptions,
  OutboxChannel,
  OutboxEvents,
  OutboxLockState,
  OutboxLocks,
  OutboxStatus,
  OutboxTokenSource,
} from './orderOutbox.js';
export { createOrderOutbox } from './orderOutbox.js';
export type { EnqueueType, OutboxEntry, OutboxFailure, RejectedEntry } from './types.js';
