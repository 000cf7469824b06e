import { describe, expect, it } from 'vitest';
import {
  canTransition,
  EVENT_TYPES,
  eventTypeForStatus,
  isFinalStatus,
  ORDER_STATUSES,
  type OrderStatus,
} from '../src/index.js';

const ALLOWED = new Set([
  'pending→preparing',
  'preparing→ready',
  'ready→completed',
  'pending→cancelled',
  'preparing→cancelled',
  'ready→cancelled',
]);

const pairs = ORDER_STATUSES.flatMap((from) =>
  ORDER_STATUSES.map((to): [OrderStatus, OrderStatus, boolean] => [
    from,
    to,
    ALLOWED.has(`${from}→${to}`),
  ]),
);

describe('canTransition', () => {
  it('covers every pair of statuses', () => {
    expect(pairs).toHaveLength(ORDER_STATUSES.length ** 2);
    expect(pairs.filter(([, , allowed]) => allowed)).toHaveLength(ALLOWED.size);
  });

  it.each(pairs)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('never allows staying on the same status (a repeat is a duplicate, not a transition)', () => {
    for (const status of ORDER_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('walks the happy path from pending to completed', () => {
    const path: OrderStatus[] = ['pending', 'preparing', 'ready', 'completed'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });
});

describe('isFinalStatus', () => {
  it.each<[OrderStatus, boolean]>([
    ['pending', false],
    ['preparing', false],
    ['ready', false],
    ['completed', true],
    ['cancelled', true],
  ])('%s final: %s', (status, final) => {
    expect(isFinalStatus(status)).toBe(final);
  });

  it('agrees with canTransition: a final status has no way out', () => {
    for (const from of ORDER_STATUSES) {
      const exits = ORDER_STATUSES.filter((to) => canTransition(from, to));
      expect(exits.length === 0).toBe(isFinalStatus(from));
    }
  });
});

describe('eventTypeForStatus', () => {
  it.each<[OrderStatus, string]>([
    ['pending', EVENT_TYPES.NEW_ORDER],
    ['preparing', EVENT_TYPES.ORDER_UPDATED],
    ['ready', EVENT_TYPES.ORDER_UPDATED],
    ['completed', EVENT_TYPES.ORDER_COMPLETED],
    ['cancelled', EVENT_TYPES.ORDER_CANCELLED],
  ])('%s emits %s', (status, type) => {
    expect(eventTypeForStatus(status)).toBe(type);
  });
});
