import { afterEach, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../../src/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('has the RFC 9562 layout: version 7, variant 10, the time in the first 48 bits', () => {
    const at = Date.UTC(2026, 11, 4, 22, 0, 0, 123) + 10_000_000;
    const id = uuidv7(at);
    expect(id).toMatch(UUID);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(timestampOf(id)).toBe(at);
  });

  it('sorts in creation order, also many ids within one millisecond', () => {
    const at = Date.UTC(2027, 0, 1) + 7;
    const ids = Array.from({ length: 5_000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Past 4,096 in one millisecond the next millisecond is borrowed, never an out-of-order id.
    expect(timestampOf(ids.at(-1)!)).toBeGreaterThan(at);
    const later = uuidv7(at + 60_000);
    expect(later > ids.at(-1)!).toBe(true);
    expect(timestampOf(later)).toBe(at + 60_000);
  });

  it('stays in order when the clock steps back', () => {
    const first = uuidv7(Date.UTC(2028, 0, 1, 12));
    const second = uuidv7(Date.UTC(2028, 0, 1, 11));
    expect(second > first).toBe(true);
  });

  it('works where crypto.randomUUID is missing (a page served over plain http)', () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) });
    expect((globalThis.crypto as Partial<Crypto>).randomUUID).toBeUndefined();
    const at = Date.UTC(2030, 0, 1);
    const id = uuidv7(at);
    expect(id).toMatch(UUID);
    expect(timestampOf(id)).toBe(at);
  });
});
