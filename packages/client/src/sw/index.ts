export type { ClassifyResponse, ReplayOutcome } from './classify.js';
export { classifyResponse } from './classify.js';
export { IDEMPOTENCY_HEADER, idempotencyKeyFor, orderIdOf } from './idempotency.js';
export type { KitchenSyncWorker, OrderQueueHandle } from './install.js';
export { installKitchenSync } from './install.js';
export type {
  CacheRouteOptions,
  KitchenSyncWorkerOptions,
  OrderQueueOptions,
  RouteMatch,
  RouteMatchContext,
} from './options.js';
export { DEFAULT_ORDER_PATH } from './options.js';
export type { ReplayResult } from './orderSync.js';
export type {
  QueuedOrder,
  QueueStatus,
  QueueSummary,
  RejectedOrder,
  RetryResult,
  SwMessageType,
  SyncResult,
} from './protocol.js';
export { ORDER_QUEUE_NAME, SW_MESSAGES } from './protocol.js';
export type { ServiceWorkerScope } from './scope.js';
