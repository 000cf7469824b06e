import type { Role } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import {
  boardRooms,
  bridgeRoom,
  eventRooms,
  presenceRoomsOf,
  roomsOf,
} from '../src/transport/rooms.js';

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
  it('reach kitchens, scoped or not, before every other screen', () => {
    const kitchens = [principal('kitchen'), principal('kitchen', ['3'])];
    const others = (['pos', 'monitor', 'admin'] as const).flatMap((role) => [
      principal(role),
      principal(role, ['3']),
    ]);
    const lastKitchen = Math.max(...kitchens.map((k) => reachedAt(k, '1', '3')));
    const firstOther = Math.min(...others.map((o) => reachedAt(o, '1', '3')));
    expect(Math.min(...kitchens.map((k) => reachedAt(k, '1', '3')))).toBeGreaterThanOrEqual(0);
    expect(lastKitchen).toBeLessThan(firstOther);
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
});
