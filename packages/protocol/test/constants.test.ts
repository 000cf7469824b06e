import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPE_VALUES,
  EVENT_TYPES,
  FORBIDDEN_KEYS,
  KITCHEN_EVENT_TYPES,
  KITCHEN_LIMITS,
  KITCHEN_SOCKET_EVENTS,
  LIMITS,
  ORDER_EVENT_TYPES,
  ORDER_STATUSES,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  ROLES,
  SOCKET_EVENTS,
} from '../src/index.js';

// The wire names are a contract with deployed clients: a rename must fail here first.
describe('protocol constants', () => {
  it('is protocol version 1', () => {
    expect(PROTOCOL_VERSION).toBe(1);
  });

  it('names the socket events of DESIGN §3', () => {
    expect(SOCKET_EVENTS).toEqual({
      PUBLISH: 'order:publish',
      UPDATE: 'order:update',
      ACK: 'order:ack',
      PING: 'ping',
      EVENT: 'event',
      SNAPSHOT: 'sync:snapshot',
      CAUGHT_UP: 'sync:caught_up',
      BRIDGE: 'sync:bridge',
    });
    expect([...REQUEST_TYPES]).toEqual([
      'order:publish',
      'order:update',
      'order:ack',
      'order:item_update',
      'order:hold',
      'order:fire',
      'order:recall',
      'order:rush',
    ]);
  });

  it('names the v1.1 commands and holds their limits', () => {
    expect(KITCHEN_SOCKET_EVENTS).toEqual({
      ITEM_UPDATE: 'order:item_update',
      HOLD: 'order:hold',
      FIRE: 'order:fire',
      RECALL: 'order:recall',
      RUSH: 'order:rush',
    });
    expect(KITCHEN_LIMITS).toEqual({ RECALL_WINDOW_MS: 600_000, HOLDS_MAX: 20 });
  });

  it('names the event types, and logs all but presence', () => {
    expect([...EVENT_TYPE_VALUES].sort()).toEqual([
      'kitchen_status_changed',
      'new_order',
      'order_acknowledged',
      'order_cancelled',
      'order_completed',
      'order_fired',
      'order_held',
      'order_item_updated',
      'order_recalled',
      'order_rushed',
      'order_updated',
    ]);
    expect(EVENT_TYPE_VALUES).toEqual([
      ...Object.values(EVENT_TYPES),
      ...Object.values(KITCHEN_EVENT_TYPES),
    ]);
    expect([...ORDER_EVENT_TYPES]).toEqual(
      EVENT_TYPE_VALUES.filter((t) => t !== 'kitchen_status_changed'),
    );
  });

  it('lists statuses, roles and forbidden keys', () => {
    expect([...ORDER_STATUSES]).toEqual([
      'pending',
      'preparing',
      'ready',
      'completed',
      'cancelled',
    ]);
    expect([...ROLES]).toEqual(['pos', 'kitchen', 'monitor', 'board', 'admin']);
    expect([...FORBIDDEN_KEYS]).toEqual(['__proto__', 'constructor', 'prototype']);
  });

  it('holds the limits DESIGN fixes', () => {
    expect(LIMITS.ID_MAX_LENGTH).toBe(64);
    expect(LIMITS.MAX_WAIT_MS).toBe(30_000);
    expect(LIMITS.MAX_DEPTH).toBe(16);
  });
});
