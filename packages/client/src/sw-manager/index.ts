export type {
  QueuedOrder,
  QueueStatus,
  QueueSummary,
  RejectedOrder,
  RetryResult,
  SyncResult,
} from '../sw/protocol.js';
export { ORDER_QUEUE_NAME, SW_MESSAGES } from '../sw/protocol.js';
export type {
  QueueListener,
  ServiceWorkerManagerOptions,
  ServiceWorkerStatus,
  ServiceWorkerUnsupportedReason,
} from './manager.js';
export { createServiceWorkerManager, ServiceWorkerManager } from './manager.js';
