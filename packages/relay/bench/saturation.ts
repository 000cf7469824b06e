import type { LoadGenerator, PhaseOptions, PhaseResult } from './loadGenerator.js';

export interface SaturationCriteria {
  maxP99Ms: number;
  minAchievedShare: number;
}

export interface SaturationResult {
  /** The highest offered rate (orders/s) that held every criterion; null if the first step failed. */
  held_rate: number | null;
  /** The highest achieved (acknowledged) rate over all steps, held or not. */
  max_achieved_rate: number;
  stopped_at: number | null;
  stop_reason: string | null;
  steps: PhaseResult[];
}

const ATTEMPTS_PER_RATE = 2;

/** Why a step did not hold, or null when it held. */
export function brokenCriterion(step: PhaseResult, criteria: SaturationCriteria): string | null {
  if (step.lost > 0) return `lost ${step.lost} deliveries`;
  if (step.duplicates > 0 || step.out_of_order > 0 || step.envelope_errors > 0) {
    return `${step.duplicates} duplicates, ${step.out_of_order} out of order, ${step.envelope_errors} bad envelopes`;
  }
  const failed = Object.values(step.ack_failures).reduce((sum, n) => sum + n, 0);
  if (failed > 0) return `${failed} publishes failed (${JSON.stringify(step.ack_failures)})`;
  if (!(step.publish_to_kitchen_ms.p99 <= criteria.maxP99Ms)) {
    return `p99 publish→kitchen ${step.publish_to_kitchen_ms.p99} ms > ${criteria.maxP99Ms} ms`;
  }
  if (step.achieved_rate < step.offered_rate * criteria.minAchievedShare) {
    return `achieved ${step.achieved_rate}/s < ${criteria.minAchievedShare * 100}% of offered`;
  }
  return null;
}

/**
 * Ramps the offered rate for several relays at once, alternating them step by step
 * (A 500, B 500, A 1000, B 1000 …) so that other work on the shared machine weighs on both
 * alike. A relay leaves the ramp at the first rate that breaks a criterion twice in a row:
 * on two shared cores one stall of a few tens of ms (GC, another process) is enough to
 * break a p99 over a few seconds, and a saturated relay breaks it every time.
 */
export async function rampSideBySide<K extends string>(
  generators: Record<K, LoadGenerator>,
  rates: number[],
  step: Omit<PhaseOptions, 'rate'>,
  criteria: SaturationCriteria,
  onStep: (kind: K, result: PhaseResult) => void = () => {},
): Promise<Record<K, SaturationResult>> {
  const kinds = Object.keys(generators) as K[];
  const results = {} as Record<K, SaturationResult>;
  for (const kind of kinds) {
    results[kind] = {
      held_rate: null,
      max_achieved_rate: 0,
      stopped_at: null,
      stop_reason: null,
      steps: [],
    };
  }
  for (const rate of rates) {
    for (const kind of kinds) {
      const result = results[kind];
      if (result.stop_reason) continue;
      let broken: string | null = null;
      for (let attempt = 0; attempt < ATTEMPTS_PER_RATE; attempt++) {
        const phase = await generators[kind].runPhase({ ...step, rate });
        onStep(kind, phase);
        result.steps.push(phase);
        result.max_achieved_rate = Math.max(result.max_achieved_rate, phase.achieved_rate);
        broken = brokenCriterion(phase, criteria);
        if (!broken) break;
      }
      if (broken) {
        result.stopped_at = rate;
        result.stop_reason = broken;
      } else {
        result.held_rate = rate;
      }
    }
  }
  return results;
}
