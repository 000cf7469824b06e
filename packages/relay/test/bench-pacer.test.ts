import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { openPacer } from '../bench/pacer.js';

describe("the load generator's pacer", () => {
  it('calls every index once, in order, never before its scheduled time', async () => {
    const pacer = await openPacer();
    const start = performance.now() + 5;
    const calls: Array<{ i: number; late: number }> = [];

    await pacer.run(start, 2, 20, (i) => {
      calls.push({ i, late: performance.now() - (start + i * 2) });
    });

    expect(calls.map((call) => call.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // The worker reads the monotonic clock performance.now() is built on: a few µs of
    // conversion error at most, never a whole interval early.
    for (const call of calls) expect(call.late).toBeGreaterThan(-0.05);
  });
});
