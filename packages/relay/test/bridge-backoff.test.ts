import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/bridge/backoff.js';

describe('Backoff', () => {
  it('doubles up to the cap and starts over after reset', () => {
    const backoff = new Backoff({ minMs: 1_000, maxMs: 8_000, jitter: 0.5, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
  });

  it('spreads each delay below its base by the jitter share, never above the cap', () => {
    const draws = [0.999, 0.5];
    const backoff = new Backoff({
      minMs: 60_000,
      maxMs: 60_000,
      jitter: 0.5,
      random: () => draws.shift()!,
    });
    expect(backoff.next()).toBe(30_030);
    expect(backoff.next()).toBe(45_000);
  });
});
