import { startBenchCluster } from './cluster.js';
import { type FleetShape, LoadGenerator, type PhaseResult } from './loadGenerator.js';
import { type RelayProcess, startRelay } from './relayProcess.js';
import { rampSideBySide, type SaturationResult } from './saturation.js';

/** Scenario H: one SQLite relay against a cluster of nodes on PostgreSQL and Redis. */
export interface ClusterRun {
  nodes: number;
  note: string;
  steady: {
    rate: number;
    single: PhaseResult;
    cluster: PhaseResult;
    /** The cluster's relay CPU per 1,000 orders divided by its node count. */
    cluster_cpu_ms_per_1k_orders_per_node: number;
  }[];
  saturation: { single: SaturationResult; cluster: SaturationResult };
}

export const CLUSTER_NOTE =
  'every node, PostgreSQL, Redis and the load generator share this machine (2 cores here): read the cluster figures as the cost per order of the cluster path (PostgreSQL commit, Redis fan-out, cross-node delivery), not as scale-out; relay CPU excludes PostgreSQL and Redis';

export interface ClusterRunOptions {
  secret: string;
  nodes: number;
  rates: number[];
  rampRates: number[];
  steadyDurationMs: number;
  warmupMs: number;
  rampStepMs: number;
  drainStallMs: number;
  drainMaxMs: number;
  criteria: { maxP99Ms: number; minAchievedShare: number };
  shape: FleetShape;
  relayArgs: string[];
  nodeArgs: string[];
  log: (line: string) => void;
}

export async function runClusterScenario(options: ClusterRunOptions): Promise<ClusterRun> {
  const { log } = options;
  const stops: (() => Promise<void>)[] = [];
  const generators: LoadGenerator[] = [];
  let single: RelayProcess | undefined;
  try {
    single = await startRelay({
      kind: 'durable',
      secret: options.secret,
      extraArgs: options.relayArgs,
      nodeArgs: options.nodeArgs,
    });
    stops.push(single.stop);
    const cluster = await startBenchCluster({
      secret: options.secret,
      count: options.nodes,
      extraArgs: options.relayArgs,
      nodeArgs: options.nodeArgs,
    });
    stops.push(cluster.stop);
    log(`[cluster] ${options.nodes} nodes at ${cluster.relay.urls?.join(', ')}`);
    const gens = {
      single: await LoadGenerator.open(single, options.secret, options.shape),
      cluster: await LoadGenerator.open(cluster.relay, options.secret, options.shape),
    };
    generators.push(gens.single, gens.cluster);
    const phase = { drainStallMs: options.drainStallMs, drainMaxMs: options.drainMaxMs };
    for (const kind of ['single', 'cluster'] as const) {
      await gens[kind].runPhase({
        ...phase,
        rate: options.rates[0] ?? 200,
        durationMs: options.warmupMs,
      });
    }
    const steady: ClusterRun['steady'] = [];
    for (const rate of options.rates) {
      const s = await gens.single.runPhase({
        ...phase,
        rate,
        durationMs: options.steadyDurationMs,
      });
      const c = await gens.cluster.runPhase({
        ...phase,
        rate,
        durationMs: options.steadyDurationMs,
      });
      log(
        `[cluster] ${rate}/s: publish→kitchen p99 single ${s.publish_to_kitchen_ms.p99} ms, cluster ${c.publish_to_kitchen_ms.p99} ms; lost ${s.lost}/${c.lost}`,
      );
      steady.push({
        rate,
        single: s,
        cluster: c,
        cluster_cpu_ms_per_1k_orders_per_node:
          Math.round((c.relay_cpu_ms_per_1k_orders / options.nodes) * 10) / 10,
      });
    }
    const saturation = await rampSideBySide(
      gens,
      options.rampRates,
      { ...phase, durationMs: options.rampStepMs },
      options.criteria,
      (kind, step) =>
        log(
          `[${kind}] ramp ${step.offered_rate}/s: acked ${step.achieved_rate}/s, publish→kitchen p99 ${step.publish_to_kitchen_ms.p99} ms, lost ${step.lost}`,
        ),
    );
    return { nodes: options.nodes, note: CLUSTER_NOTE, steady, saturation };
  } finally {
    for (const generator of generators) generator.close();
    for (const stop of stops.reverse()) await stop();
  }
}
