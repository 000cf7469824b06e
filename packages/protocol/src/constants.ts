/** Bumped on any incompatible change of the wire format. */
export const PROTOCOL_VERSION = 1;

export const ORDER_STATUSES = ['pending', 'preparing', 'ready', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const EVENT_TYPES = {
  NEW_ORDER: 'new_order',
  ORDER_UPDATED: 'order_updated',
  ORDER_COMPLETED: 'order_completed',
  ORDER_CANCELLED: 'order_cancelled',
  ORDER_ACKNOWLEDGED: 'order_acknowledged',
  KITCHEN_STATUS_CHANGED: 'kitchen_status_changed',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];
export const EVENT_TYPE_VALUES = Object.values(EVENT_TYPES) as EventType[];

/** Event types carried in the durable log (everything but presence). */
export const ORDER_EVENT_TYPES = [
  EVENT_TYPES.NEW_ORDER,
  EVENT_TYPES.ORDER_UPDATED,
  EVENT_TYPES.ORDER_COMPLETED,
  EVENT_TYPES.ORDER_CANCELLED,
  EVENT_TYPES.ORDER_ACKNOWLEDGED,
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export const ROLES = ['pos', 'kitchen', 'monitor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Socket.IO event names, client → relay and relay → client. */
export const SOCKET_EVENTS = {
  PUBLISH: 'order:publish',
  UPDATE: 'order:update',
  ACK: 'order:ack',
  PING: 'ping',
  EVENT: 'event',
  SNAPSHOT: 'sync:snapshot',
  CAUGHT_UP: 'sync:caught_up',
} as const;

export const REQUEST_TYPES = [
  SOCKET_EVENTS.PUBLISH,
  SOCKET_EVENTS.UPDATE,
  SOCKET_EVENTS.ACK,
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const PRIORITIES = ['normal', 'rush'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const LIMITS = {
  /** outlet_id, tenant_id, client ids, product ids, epoch. */
  ID_MAX_LENGTH: 64,
  TEXT_MAX_LENGTH: 500,
  ITEMS_MAX: 500,
  QUANTITY_MAX: 100_000,
  /** Deeper nesting than this is refused before schema validation runs. */
  MAX_DEPTH: 16,
  /** Longest long poll a client may ask for. */
  MAX_WAIT_MS: 30_000,
  EVENTS_PAGE_MAX: 1_000,
  EVENTS_PAGE_DEFAULT: 500,
} as const;

/** Keys that could pollute an object's prototype when merged; refused anywhere in a message. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
