import type { LoadGenerator, PhaseOptions, PhaseResult, PhaseSamples } from './loadGenerator.js';
import { Samples } from './stats.js';

/**
 * Runs the steady phase of several relays as alternating slices (A E A E … with the order
 * rotated every round) and reports each relay's slices as one phase. Run back to back, 30 s
 * of one relay and then 30 s of the other compared whatever the machine did in each half
 * minute as well: on this 2-core machine the same relay's p99 moved between 4 and 7.5 ms
 * from one run to the next. Alternating short slices puts both relays under the same
 * background, so their ratio measures the relays.
 */
export async function runInterleavedSteady<K extends string>(
  generators: Record<K, LoadGenerator>,
  kinds: readonly K[],
  phase: Omit<PhaseOptions, 'samples'>,
  slices: number,
  onSlice?: (kind: K, slice: number, result: PhaseResult) => void,
): Promise<Record<K, PhaseResult>> {
  const count = Math.max(1, Math.floor(slices));
  const sliceMs = phase.durationMs / count;
  const samples = new Map<K, PhaseSamples>();
  const results = new Map<K, PhaseResult[]>();
  for (const kind of kinds) {
    samples.set(kind, { deliver: new Samples(), ack: new Samples(), sendLag: new Samples() });
    results.set(kind, []);
  }
  for (let slice = 0; slice < count; slice++) {
    // Rotated so no relay always runs first after the other's drain.
    const order = kinds.map((_, i) => kinds[(i + slice) % kinds.length]!);
    for (const kind of order) {
      const result = await generators[kind].runPhase({
        ...phase,
        durationMs: sliceMs,
        samples: samples.get(kind)!,
      });
      results.get(kind)!.push(result);
      onSlice?.(kind, slice, result);
    }
  }
  const merged = {} as Record<K, PhaseResult>;
  for (const kind of kinds) merged[kind] = mergePhases(results.get(kind)!);
  return merged;
}

const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);

/**
 * One phase's figures from its slices. The latency summaries are already whole: every slice
 * wrote into the same sample buffers, so the last slice's summaries cover all of them.
 */
export function mergePhases(slices: PhaseResult[]): PhaseResult {
  const last = slices[slices.length - 1]!;
  const duration = sum(slices.map((s) => s.duration_s));
  const acked = sum(slices.map((s) => s.acked));
  const byTime = (pick: (s: PhaseResult) => number) =>
    Math.round(sum(slices.map((s) => pick(s) * s.duration_s)) / duration);
  const failures: Record<string, number> = {};
  for (const slice of slices) {
    for (const [code, n] of Object.entries(slice.ack_failures)) {
      failures[code] = (failures[code] ?? 0) + n;
    }
  }
  return {
    offered_rate: last.offered_rate,
    duration_s: duration,
    drain_s: Math.max(...slices.map((s) => s.drain_s)),
    sent: sum(slices.map((s) => s.sent)),
    acked,
    ack_failures: failures,
    achieved_rate: byTime((s) => s.achieved_rate),
    publish_to_ack_ms: last.publish_to_ack_ms,
    publish_to_kitchen_ms: last.publish_to_kitchen_ms,
    deliveries_expected: sum(slices.map((s) => s.deliveries_expected)),
    deliveries_received: sum(slices.map((s) => s.deliveries_received)),
    lost: sum(slices.map((s) => s.lost)),
    worst_kitchen_lost: sum(slices.map((s) => s.worst_kitchen_lost)),
    duplicates: sum(slices.map((s) => s.duplicates)),
    out_of_order: sum(slices.map((s) => s.out_of_order)),
    envelope_errors: sum(slices.map((s) => s.envelope_errors)),
    deliveries_per_s: byTime((s) => s.deliveries_per_s),
    relay_rss_mb_max: Math.max(...slices.map((s) => s.relay_rss_mb_max)),
    relay_cpu_percent: byTime((s) => s.relay_cpu_percent),
    relay_cpu_ms_per_1k_orders: Math.round(
      sum(slices.map((s) => s.relay_cpu_ms_per_1k_orders * s.acked)) / Math.max(1, acked),
    ),
    loadavg: Math.round((sum(slices.map((s) => s.loadavg)) / slices.length) * 100) / 100,
    generator_cpu_percent: byTime((s) => s.generator_cpu_percent),
    generator_send_lag_ms: last.generator_send_lag_ms,
  };
}
