import type { Role } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import { eventRooms, roomsOf } from '../src/transport/rooms.js';

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
});
