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

/** Why a step did not hold, or null when it held. */
export function brokenCriterion(step: PhaseResult, criteria: SaturationCriteria): string | null {
  if (step.lost > 0) return `lost ${step.lost} deliveries`;
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

/** Ramps the offered rate step by step until a step breaks a criterion. */
export async function findSaturation(
  generator: LoadGenerator,
  rates: number[],
  step: Omit<PhaseOptions, 'rate'>,
  criteria: SaturationCriteria,
  onStep: (result: PhaseResult) => void = () => {},
): Promise<SaturationResult> {
  const steps: PhaseResult[] = [];
  let held: number | null = null;
  for (const rate of rates) {
    const result = await generator.runPhase({ ...step, rate });
    steps.push(result);
    onStep(result);
    const broken = brokenCriterion(result, criteria);
    if (broken) {
      return {
        held_rate: held,
        max_achieved_rate: maxAchieved(steps),
        stopped_at: rate,
        stop_reason: broken,
        steps,
      };
    }
    held = rate;
  }
  return {
    held_rate: held,
    max_achieved_rate: maxAchieved(steps),
    stopped_at: null,
    stop_reason: null,
    steps,
  };
}

const maxAchieved = (steps: PhaseResult[]): number =>
  Math.max(0, ...steps.map((s) => s.achieved_rate));
