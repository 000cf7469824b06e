export type { BoardOrder } from './boardView.js';
export { BOARD_ORDER_FIELDS, boardEnvelope, boardOrder } from './boardView.js';
export type {
  EventType,
  ItemStatus,
  KitchenEventType,
  KitchenRequestType,
  OrderEventType,
  OrderStatus,
  Priority,
  RequestType,
  Role,
} from './constants.js';
export {
  EVENT_TYPE_VALUES,
  EVENT_TYPES,
  FORBIDDEN_KEYS,
  ITEM_STATUSES,
  KITCHEN_EVENT_TYPES,
  KITCHEN_LIMITS,
  KITCHEN_REQUEST_TYPES,
  KITCHEN_SOCKET_EVENTS,
  LIMITS,
  ORDER_EVENT_TYPES,
  ORDER_STATUSES,
  PRIORITIES,
  PROTOCOL_REVISION,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  ROLES,
  SOCKET_EVENTS,
} from './constants.js';
export { eventContentKey, eventDedupKey } from './dedupKey.js';
export type { ErrorBody, ErrorCode, ValidationIssue } from './errors.js';
export { ERROR_CODES, HTTP_STATUS_BY_CODE, isErrorCode, KitchenSyncError } from './errors.js';
export { heldCourses, heldLinesRefusal } from './heldCourses.js';
export type { PathStep } from './issuePath.js';
export { fieldPath, issuePath, pathWithin, ROOT_PATH } from './issuePath.js';
export { canItemTransition, orderStatusFromLines } from './itemTransitions.js';
export type { KitchenOutcome } from './kitchenChanges.js';
export {
  applyFire,
  applyHold,
  applyItemUpdate,
  applyRecall,
  applyRush,
  bumpedSince,
  fireDue,
  nextFireAt,
  openOrder,
  withOrderStatus,
} from './kitchenChanges.js';
export { lineIdAt } from './lineIds.js';
export type {
  BridgeHealth,
  BridgeStatusMessage,
  CaughtUpMessage,
  ClockHealth,
  ClusterHealth,
  ConnectedClient,
  EventsResponse,
  FailureAck,
  HealthResponse,
  HealthTls,
  KitchenCommandAck,
  KitchenCommandResult,
  LogHealth,
  OrderAckAck,
  OrderAckResult,
  OutletsWithoutOrders,
  PingAck,
  PingResult,
  PublishAck,
  PublishResult,
  RefusedDevice,
  SnapshotMessage,
  StorageHealth,
  TlsHandshakeFailure,
  TokenRefusalReason,
  UpdateAck,
  UpdateResult,
} from './messages.js';
export type { OpenableOrder, OrderLine } from './orderLines.js';
export { openLines, orderLines } from './orderLines.js';
export type { UnsafeReason } from './safety.js';
export { findUnsafe } from './safety.js';
export type { EventEnvelope, KitchenStatusData, OrderEvent } from './schemas/envelope.js';
export { EventEnvelopeSchema } from './schemas/envelope.js';
export type { EventsQuery, OrdersQuery } from './schemas/http.js';
export { EventsQuerySchema, OrdersQuerySchema } from './schemas/http.js';
export type {
  OrderFire,
  OrderHold,
  OrderItemUpdate,
  OrderRecall,
  OrderRush,
} from './schemas/kitchenRequests.js';
export {
  OrderFireSchema,
  OrderHoldSchema,
  OrderItemUpdateSchema,
  OrderRecallSchema,
  OrderRushSchema,
} from './schemas/kitchenRequests.js';
export type { Hold } from './schemas/line.js';
export { CourseSchema, HoldSchema, LineIdSchema, LineVersionSchema } from './schemas/line.js';
export type { Order, OrderItem } from './schemas/order.js';
export { OrderItemSchema, OrderSchema, OrderStatusSchema } from './schemas/order.js';
export type { OrderState } from './schemas/orderState.js';
export { OrderStateSchema } from './schemas/orderState.js';
export type { Id } from './schemas/primitives.js';
export {
  ClientIdSchema,
  DecimalStringSchema,
  IdSchema,
  IsoTimestampSchema,
  idKey,
  SeqSchema,
  UuidSchema,
} from './schemas/primitives.js';
export type { PublishedOrder } from './schemas/publishedOrder.js';
export { PublishedItemSchema, PublishedOrderSchema } from './schemas/publishedOrder.js';
export type { HandshakeAuth, HttpEventRequest, OrderAck, OrderUpdate } from './schemas/requests.js';
export {
  HandshakeAuthSchema,
  HttpEventRequestSchema,
  OrderAckSchema,
  OrderUpdateSchema,
} from './schemas/requests.js';
export type { TokenClaims } from './schemas/token.js';
export { TokenClaimsSchema } from './schemas/token.js';
export { canTransition, eventTypeForStatus, isFinalStatus } from './transitions.js';
export type { Validated } from './validate.js';
export { validate } from './validate.js';
