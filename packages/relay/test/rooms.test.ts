import type { Role } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import {
  boardRooms,
  bridgeRoom,
  kitchenEventRooms,
  liveEventRooms,
  presenceRoomsOf,
  roomsOf,
  watcherEventRooms,
} from '../src/transport/rooms.js';

/** Every room an event goes to, kitchens' and watchers'. */
const eventRooms = (outlet: string, tenant: string) => [
  ...kitchenEventRooms(outlet, tenant),
  ...watcherEventRooms(outlet, tenant),
];

const principal = (role: Role, tenants: string[] | null = null): Principal => ({
  sub: `${role}-1`,
  role,
  outletId: 1,
  outlet: '1',
  tenants,
});

/** Where in a broadcast's room order this client is reached (-1: not at all). */
const reachedAt = (p: Principal, outlet: string, tenant: string) => {
  const rooms = eventRooms(outlet, tenant);
  const mine = roomsOf(p);
  return rooms.findIndex((room) => mine.includes(room));
};

describe('event rooms', () => {
  it('split kitchens, scoped or not, from every other screen (those get theirs batched)', () => {
    const kitchens = [principal('kitchen'), principal('kitchen', ['3'])];
    const others = (['pos', 'monitor', 'admin'] as const).flatMap((role) => [
      principal(role),
      principal(role, ['3']),
    ]);
    const joins = (p: Principal, rooms: string[]) => roomsOf(p).some((r) => rooms.includes(r));
    for (const kitchen of kitchens) {
      expect(joins(kitchen, kitchenEventRooms('1', '3'))).toBe(true);
      expect(joins(kitchen, watcherEventRooms('1', '3'))).toBe(false);
    }
    for (const other of others) {
      expect(joins(other, watcherEventRooms('1', '3'))).toBe(true);
      expect(joins(other, kitchenEventRooms('1', '3'))).toBe(false);
    }
  });

  it('reach no client of another tenant or outlet', () => {
    for (const role of ['kitchen', 'pos', 'monitor'] as const) {
      expect(reachedAt(principal(role, ['3']), '1', '4')).toBe(-1);
      expect(reachedAt(principal(role), '2', '3')).toBe(-1);
      expect(reachedAt(principal(role, ['3']), '1', '3')).toBeGreaterThanOrEqual(0);
    }
  });

  it('keep ids with separators and escapes apart, and take any text without throwing', () => {
    // "1" + "2:x" and "1:2" + "x"; "%3A" written out and ":" escaped.
    expect(eventRooms('1', '2:x')).not.toEqual(eventRooms('1:2', 'x'));
    expect(eventRooms('1', '%3A')).not.toEqual(eventRooms('1', ':'));
    expect(eventRooms('1', '%253A')).not.toEqual(eventRooms('1', '%3A'));
    // Half a surrogate pair made encodeURIComponent throw, and the commit batch's delivery with it.
    expect(() => eventRooms('1', '\ud800')).not.toThrow();
    expect(() => roomsOf(principal('kitchen', ['\udc00']))).not.toThrow();
  });
});

describe('board rooms', () => {
  it("hold boards only: they get the board frame and never an event's whole order", () => {
    for (const board of [principal('board'), principal('board', ['3'])]) {
      expect(reachedAt(board, '1', '3')).toBe(-1);
      expect(boardRooms('1', '3').some((room) => roomsOf(board).includes(room))).toBe(true);
      expect(boardRooms('1', '4').some((room) => roomsOf(board).includes(room))).toBe(
        board.tenants === null,
      );
      expect(presenceRoomsOf(board)).toEqual([]);
    }
    const others = (['pos', 'kitchen', 'monitor', 'admin'] as const).flatMap((role) => [
      ...roomsOf(principal(role)),
      ...roomsOf(principal(role, ['3'])),
      ...presenceRoomsOf(principal(role)),
    ]);
    for (const room of [...boardRooms('1', '3'), bridgeRoom('1')]) {
      expect(others).not.toContain(room);
    }
    expect(boardRooms('1', '3')).not.toContain(bridgeRoom('1'));
  });

  it('corks the watchers with a commit batch only when their events are not batched', () => {
    const events = [
      { outlet: '1', tenant: '3' },
      { outlet: '1', tenant: '4' },
    ];
    const watchers = [...watcherEventRooms('1', '3'), ...watcherEventRooms('1', '4')];
    const unbatched = liveEventRooms(events, false);
    const batched = liveEventRooms(events, true);
    for (const room of watchers) {
      expect(unbatched).toContain(room);
      expect(batched).not.toContain(room);
    }
    for (const room of [...kitchenEventRooms('1', '4'), ...boardRooms('1', '3')]) {
      expect(batched).toContain(room);
      expect(unbatched).toContain(room);
    }
  });
});
