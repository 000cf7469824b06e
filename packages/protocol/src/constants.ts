/** Bumped on any incompatible change of the wire format. */
export const PROTOCOL_VERSION = 1;
/**
 * Compatible additions within v1: 1.1 added line ids, item status, hold & fire, recall; 1.2 an
 * optional `version` on `order:update`.
 */
export const PROTOCOL_REVISION = '1.2';

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

/**
 * v1.1 event types; each carries the whole order as it stands after the change. Apart from
 * EVENT_TYPES so the client bundles that only know v1 events do not carry them.
 */
export const KITCHEN_EVENT_TYPES = {
  ORDER_ITEM_UPDATED: 'order_item_updated',
  ORDER_HELD: 'order_held',
  ORDER_FIRED: 'order_fired',
  ORDER_RECALLED: 'order_recalled',
  ORDER_RUSHED: 'order_rushed',
} as const;
export type KitchenEventType = (typeof KITCHEN_EVENT_TYPES)[keyof typeof KITCHEN_EVENT_TYPES];
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES] | KitchenEventType;
// Literal lists below, not Object.values or spreads: a bundler must be able to drop whatever
// a client does not use, and it keeps calls and spreads at the top of a module.
export const EVENT_TYPE_VALUES: EventType[] = [
  'new_order',
  'order_updated',
  'order_completed',
  'order_cancelled',
  'order_acknowledged',
  'kitchen_status_changed',
  'order_item_updated',
  'order_held',
  'order_fired',
  'order_recalled',
  'order_rushed',
];

/** Event types carried in the durable log (everything but presence). */
export const ORDER_EVENT_TYPES = [
  'new_order',
  'order_updated',
  'order_completed',
  'order_cancelled',
  'order_acknowledged',
  'order_item_updated',
  'order_held',
  'order_fired',
  'order_recalled',
  'order_rushed',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/**
 * The status of one order line (v1.1). Forward only: `held → pending → preparing → ready`;
 * `held` is entered by `order:hold`, left by `order:fire`; `ready → preparing` only by a recall.
 */
export const ITEM_STATUSES = ['held', 'pending', 'preparing', 'ready'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** `board`: a pickup board, which reads like `monitor` but gets orders without guest data. */
export const ROLES = ['pos', 'kitchen', 'monitor', 'board', 'admin'] as const;
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
  /** The relay's uplink to central (relays with `--central-url` only); older clients ignore it. */
  BRIDGE: 'sync:bridge',
} as const;

/** v1.1 commands (client → relay), apart from SOCKET_EVENTS for the same reason. */
export const KITCHEN_SOCKET_EVENTS = {
  ITEM_UPDATE: 'order:item_update',
  HOLD: 'order:hold',
  FIRE: 'order:fire',
  RECALL: 'order:recall',
  RUSH: 'order:rush',
} as const;

export const KITCHEN_REQUEST_TYPES = [
  'order:item_update',
  'order:hold',
  'order:fire',
  'order:recall',
  'order:rush',
] as const;
export type KitchenRequestType = (typeof KITCHEN_REQUEST_TYPES)[number];

export const REQUEST_TYPES = [
  'order:publish',
  'order:update',
  'order:ack',
  'order:item_update',
  'order:hold',
  'order:fire',
  'order:recall',
  'order:rush',
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
  /**
   * Longest token the socket handshake takes (a bound on what a stranger makes the relay
   * parse). Room for about 700 short tenant ids; a token for more should name none (= every
   * tenant of the outlet).
   */
  TOKEN_MAX_LENGTH: 4096,
} as const;

export const KITCHEN_LIMITS = {
  /** v1.1: how long after a bump a line or an order may still be recalled. */
  RECALL_WINDOW_MS: 600_000,
  /** v1.1: holds one order may name at publish (one per course, or one for the order). */
  HOLDS_MAX: 20,
} as const;

/** Keys that could pollute an object's prototype when merged; refused anywhere in a message. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
