import { fileURLToPath } from 'node:url';

export type Scenario = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H';

export interface BenchConfig {
  /**
   * A: durable relay, B: plain relay (steady load + saturation ramp); C: polling cost; D: idle
   * kitchens RSS; E: the durable relay over TLS (steady load only, beside A's); F: the
   * durable relay on node:sqlite (pinned Node 22; steady load only, beside A's); G: the
   * Linux executable's size and cold start to /health 200; H: one SQLite relay against a
   * cluster of nodes on PostgreSQL and Redis (clients spread over the nodes).
   */
  scenarios: Set<Scenario>;
  quick: boolean;
  /** G: cold starts measured (the median is reported). */
  coldStarts: number;
  posCount: number;
  kitchenCount: number;
  steadyRate: number;
  steadyDurationMs: number;
  /** The steady phase runs as this many slices, alternating the relays (interleavedSteady.ts). */
  steadySlices: number;
  warmupMs: number;
  rampRates: number[];
  rampStepMs: number;
  /** A ramp step holds while p99 publish→kitchen stays at or under this. */
  saturationP99Ms: number;
  /** A ramp step holds while achieved ≥ this share of the offered rate. */
  saturationMinAchieved: number;
  drainStallMs: number;
  drainMaxMs: number;
  pollingSizes: number[];
  pollingSamples: number;
  idleKitchens: number;
  outputPath: string;
  /** Extra CLI flags for the durable relay in A, e.g. `--log-level warn`. */
  durableArgs: string[];
  /** Node flags for every relay child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  relayNodeArgs: string[];
  /** H: steady rates (orders/s) for the single relay and the cluster, and the node count. */
  clusterRates: number[];
  clusterNodes: number;
  /** H: the saturation ramp of both. */
  clusterRampRates: number[];
  /** The whole run is aborted (relays killed) after this long. */
  hardTimeoutMs: number;
}

const list = (value: string | undefined): number[] | undefined =>
  value
    ?.split(',')
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
};

/**
 * Every knob comes from the environment so `pnpm bench:relay` needs no arguments:
 * BENCH_QUICK=1 (short smoke run), BENCH_SCENARIOS=A,B,C,D,E,F,G, BENCH_RATE, BENCH_DURATION_S,
 * BENCH_STEADY_SLICES (the steady phase's interleaved slices, default 6),
 * BENCH_POS, BENCH_KITCHENS, BENCH_RAMP (orders/s list), BENCH_RAMP_STEP_S, BENCH_P99_MS,
 * BENCH_POLL_SIZES, BENCH_POLL_SAMPLES, BENCH_IDLE_KITCHENS, BENCH_OUT (JSON path),
 * BENCH_TIMEOUT_S, BENCH_DURABLE_ARGS (extra flags for the durable relay in A),
 * BENCH_RELAY_NODE_ARGS (Node flags for the relay processes, e.g. --cpu-prof), BENCH_CLUSTER_RATES,
 * BENCH_CLUSTER_NODES, BENCH_CLUSTER_RAMP (scenario H).
 */
export function readConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const scenarios = (env.BENCH_SCENARIOS ?? 'A,B,C,D,E,F,G,H')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s): s is Scenario => ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].includes(s));
  return {
    scenarios: new Set(scenarios),
    quick,
    coldStarts: quick ? 3 : 7,
    posCount: num(env.BENCH_POS, 20),
    kitchenCount: num(env.BENCH_KITCHENS, 50),
    steadyRate: num(env.BENCH_RATE, 500),
    steadyDurationMs: num(env.BENCH_DURATION_S, quick ? 3 : 30) * 1000,
    steadySlices: num(env.BENCH_STEADY_SLICES, quick ? 2 : 6),
    warmupMs: quick ? 500 : 2000,
    rampRates: list(env.BENCH_RAMP) ?? [500, 750, 1000, 1250, 1500, 2000, 3000, 4000],
    rampStepMs: num(env.BENCH_RAMP_STEP_S, quick ? 1.5 : 4) * 1000,
    saturationP99Ms: num(env.BENCH_P99_MS, 50),
    saturationMinAchieved: 0.9,
    drainStallMs: 2_000,
    drainMaxMs: 30_000,
    pollingSizes:
      list(env.BENCH_POLL_SIZES) ?? (quick ? [100, 1_000, 10_000] : [100, 1_000, 10_000, 100_000]),
    pollingSamples: num(env.BENCH_POLL_SAMPLES, quick ? 100 : 300),
    idleKitchens: num(env.BENCH_IDLE_KITCHENS, 1_000),
    // A smoke run never replaces the committed figures.
    outputPath:
      env.BENCH_OUT ??
      fileURLToPath(
        new URL(quick ? './results/quick.json' : './results/latest.json', import.meta.url),
      ),
    durableArgs: (env.BENCH_DURABLE_ARGS ?? '').split(' ').filter(Boolean),
    relayNodeArgs: (env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
    clusterRates: list(env.BENCH_CLUSTER_RATES) ?? [200, 500],
    clusterNodes: num(env.BENCH_CLUSTER_NODES, 3),
    // From 200/s: the cluster on 2 shared cores breaks below 500/s, and its held rate is the figure.
    clusterRampRates: list(env.BENCH_CLUSTER_RAMP) ?? [200, 300, 400, 500, 750, 1000, 1500, 2000],
    hardTimeoutMs: num(env.BENCH_TIMEOUT_S, 600) * 1000,
  };
}
