import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRetryTimer } from '../../../src/sw/retryTimer.js';

const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createRetryTimer', () => {
  it('retries a stopped replay once per stop, backing off, and forgets it after a success', async () => {
    const runs: number[] = [];
    const after = createRetryTimer(
      async () => {
        runs.push(Date.now());
      },
      timers,
      () => 0.5,
    );
    const start = Date.now();

    after(true);
    after(true); // already scheduled: still one retry
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs.map((t) => t - start)).toEqual([2_000]);

    after(true);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(runs.map((t) => t - start)).toEqual([2_000, 6_000]);

    after(true);
    after(false); // a run went through: the pending retry is dropped, the backoff restarts
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(2);

    after(true);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toHaveLength(3);
  });
});
