import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/lib/backoff.js';

const schedule = (b: Backoff, n: number) => Array.from({ length: n }, () => b.duration());

describe('Backoff', () => {
  it('doubles from min up to max without jitter', () => {
    const b = new Backoff({ min: 100, max: 1_000, jitter: 0 });
    expect(schedule(b, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(b.attempts).toBe(6);
  });

  it('spreads each delay by ±jitter with the injected random, never above max', () => {
    const low = new Backoff({ min: 1_000, max: 4_000, jitter: 0.5, random: () => 0 });
    expect(schedule(low, 4)).toEqual([500, 1_000, 2_000, 2_000]);
    const high = new Backoff({ min: 1_000, max: 4_000, jitter: 0.5, random: () => 1 });
    expect(schedule(high, 4)).toEqual([1_500, 3_000, 4_000, 4_000]);
  });

  it('starts over after reset', () => {
    const b = new Backoff({ min: 10, jitter: 0 });
    schedule(b, 3);
    b.reset();
    expect(b.duration()).toBe(10);
  });
});
