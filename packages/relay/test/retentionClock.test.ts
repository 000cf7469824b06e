import { describe, expect, it } from 'vitest';
import { createRetentionClock } from '../src/lib/retentionClock.js';

const HOUR = 3_600_000;

function clocks() {
  const c = { wall: Date.parse('2026-12-05T12:00:00Z'), mono: 0 };
  const read = createRetentionClock(
    () => c.wall,
    () => c.mono,
  );
  const pass = (ms: number) => {
    c.wall += ms;
    c.mono += ms;
  };
  return { c, read, pass };
}

describe('the clock retention prunes by', () => {
  it('is the wall clock while it runs at real time', () => {
    const { c, read, pass } = clocks();
    pass(60_000);
    expect(read()).toBe(c.wall);
  });

  it('follows a jump forward at twice real time, not at once', () => {
    const { c, read, pass } = clocks();
    const before = read();
    c.wall += 25 * HOUR;
    pass(60_000);
    expect(read()).toBe(before + 120_000);
    // Caught up after as long again as the jump (at one extra hour per hour).
    for (let i = 0; i < 26; i++) {
      pass(HOUR);
      read();
    }
    expect(read()).toBe(c.wall);
  });

  it('follows a jump back at once', () => {
    const { c, read, pass } = clocks();
    pass(60_000);
    c.wall -= 2 * HOUR;
    expect(read()).toBe(c.wall);
  });
});
