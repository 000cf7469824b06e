import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../bench/summary.js';
import { checkTargets } from '../bench/targets.js';

const latency = (p99: number) => ({ count: 15_000, p50: p99 / 5, p99, max: p99 * 4 });

/** A run's steady phase as far as the TLS check reads it. */
const steady = (p99: number, lagP99: number, lost = 0) => ({
  publish_to_kitchen_ms: latency(p99),
  generator_send_lag_ms: latency(lagP99),
  lost,
});

/** Results with the TCP and TLS relays' steady phases; the other targets are not run. */
function results(tcp: ReturnType<typeof steady>, tls: ReturnType<typeof steady>) {
  return {
    config: { steadyRate: 500 },
    load: { durable: { steady: tcp } },
    ratio_durable_to_plain: { saturation_held_rate: null, cpu_capacity_at_steady: null },
    idle_kitchens: {},
    tls: {
      steady: tls,
      p99_ratio_to_durable:
        Math.round((tls.publish_to_kitchen_ms.p99 / tcp.publish_to_kitchen_ms.p99) * 100) / 100,
    },
  } as unknown as Omit<BenchResults, 'targets'>;
}

const tlsTarget = (run: Omit<BenchResults, 'targets'>) =>
  checkTargets(run).find((t) => t.target.startsWith('TLS p99'))!;

describe('the TLS target of the relay bench', () => {
  it('passes or fails a quiet run on the ratio', () => {
    expect(tlsTarget(results(steady(4.8, 1.4), steady(5.3, 1.5)))).toMatchObject({ pass: true });
    expect(tlsTarget(results(steady(4.8, 1.4), steady(7.2, 1.5)))).toMatchObject({ pass: false });
  });

  it('judges no ratio from a run where the generator itself sent late or the baseline is far off', () => {
    // The audit's busy run: TLS "0.55×" because the TCP relay's tail was the machine's.
    const busy = tlsTarget(results(steady(62.3, 9.3), steady(34.5, 8.1)));
    expect(busy.pass).toBeNull();
    expect(busy.invalid).toMatch(/generator sent 9\.3 ms late/);
    const slowBaseline = tlsTarget(results(steady(14, 1.4), steady(12, 1.5)));
    expect(slowBaseline.pass).toBeNull();
    expect(slowBaseline.invalid).toMatch(/TCP relay's own p99 was 14 ms/);
  });

  it('fails a run that lost an order, busy or not', () => {
    expect(tlsTarget(results(steady(62.3, 9.3), steady(34.5, 8.1, 2)))).toMatchObject({
      pass: false,
    });
    expect(tlsTarget(results(steady(62.3, 9.3, 3), steady(34.5, 8.1)))).toMatchObject({
      pass: false,
    });
  });
});
