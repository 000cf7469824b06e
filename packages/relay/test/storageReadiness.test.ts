import { describe, expect, it } from 'vitest';
import { createStorageReadiness } from '../src/store/storageReadiness.js';

describe('storage readiness (what /health reports to a balancer)', () => {
  it('while writes fail, asks the store again once the last probe is 1 s old on the monotonic clock', async () => {
    let t = 0;
    const answers = [false, true];
    let probes = 0;
    const canStore = createStorageReadiness({
      storage: () => ({ ok: false, error: 'storage_full', since: '2026-12-06T00:00:00Z' }),
      probeWrite: async () => {
        probes++;
        if (!answers.shift()) throw new Error('disk full');
      },
      elapsed: () => t,
    });
    expect(await canStore()).toBe(false);
    t = 999;
    expect(await canStore()).toBe(false);
    expect(probes).toBe(1);
    t = 1_000;
    expect(await canStore()).toBe(true);
    expect(probes).toBe(2);
  });

  it('answers ok without a probe while the last write committed', async () => {
    let probes = 0;
    const canStore = createStorageReadiness({
      storage: () => ({ ok: true }),
      probeWrite: async () => {
        probes++;
      },
      elapsed: () => 0,
    });
    expect(await canStore()).toBe(true);
    expect(probes).toBe(0);
  });
});
