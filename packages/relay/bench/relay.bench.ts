/**
 * `pnpm bench:relay`: the durable relay against a plain Socket.IO broadcast relay, side by
 * side in one run (A, B), the durable relay over TLS beside them (E), polling cost as the log
 * grows (C) and idle-kitchen RSS (D).
 * Relays run as child processes; the load generator runs in this process. Knobs: config.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { ensureLinuxExecutable, measureColdStart } from './coldStart.js';
import { readConfig } from './config.js';
import { measureIdleKitchens } from './idleKitchens.js';
import { runInterleavedSteady } from './interleavedSteady.js';
import { LoadGenerator, type PhaseResult } from './loadGenerator.js';
import { measurePollingCost } from './pollingCost.js';
import {
  durableCliPath,
  type RelayKind,
  type RelayProcess,
  type SteadyOnlyKind,
  startRelay,
} from './relayProcess.js';
import { latency, ratio } from './report.js';
import { toResultsJson } from './resultsJson.js';
import { rampSideBySide } from './saturation.js';
import {
  type BenchResults,
  formatSummary,
  type LoadRun,
  type NodeSqliteRun,
  type TlsRun,
} from './summary.js';
import { checkTargets } from './targets.js';

const OUTLET = 1;
const TENANT = 1;

const config = readConfig(process.env);
const secret = randomBytes(32).toString('hex');
const log = (line: string) => process.stdout.write(`${line}\n`);

const hardStop = setTimeout(() => {
  console.error(`bench: aborted after ${config.hardTimeoutMs / 1000} s`);
  process.exit(2);
}, config.hardTimeoutMs);
hardStop.unref();
process.once('SIGINT', () => process.exit(130));

async function withRelay<T>(
  kind: RelayKind,
  extraArgs: string[],
  body: (relay: RelayProcess) => Promise<T>,
): Promise<T> {
  const relay = await startRelay({ kind, secret, extraArgs, nodeArgs: config.relayNodeArgs });
  log(`[${kind}] relay pid ${relay.pid} at ${relay.url}`);
  try {
    return await body(relay);
  } catch (error) {
    log(`[${kind}] failed; relay's last output:\n${relay.recentOutput().join('\n')}`);
    throw error;
  } finally {
    await relay.stop();
  }
}

// The limiter is taken out of the way: the benchmark measures capacity, not the limit.
const DURABLE_LOAD_ARGS = ['--rate-limit', '0'];

type RampKind = Exclude<RelayKind, SteadyOnlyKind>;

/**
 * Scenarios A, B, E and F: every relay up at once, every phase alternating between them (the
 * steady phase in interleaved slices). The TLS and node:sqlite relays run the warm-up and the
 * steady phase only, so they are measured under the same background as the durable relay's.
 */
async function runLoad(kinds: RelayKind[]): Promise<{
  load: Partial<Record<RampKind, LoadRun>>;
  tls?: TlsRun;
  nodeSqlite?: NodeSqliteRun;
}> {
  const relays: RelayProcess[] = [];
  const generators = {} as Record<RelayKind, LoadGenerator>;
  try {
    for (const kind of kinds) {
      const relay = await startRelay({
        kind,
        secret,
        extraArgs: kind !== 'plain' ? [...DURABLE_LOAD_ARGS, ...config.durableArgs] : [],
        nodeArgs: config.relayNodeArgs,
      });
      relays.push(relay);
      log(`[${kind}] relay pid ${relay.pid} at ${relay.url}`);
      generators[kind] = await LoadGenerator.open(relay, secret, {
        posCount: config.posCount,
        kitchenCount: config.kitchenCount,
        outletId: OUTLET,
        tenantId: TENANT,
      });
    }
    const phase = {
      drainStallMs: config.drainStallMs,
      drainMaxMs: config.drainMaxMs,
    };
    const steady: Partial<Record<RelayKind, PhaseResult>> = {};
    for (const kind of kinds) {
      // Warm-up (JIT, SQLite page cache) is not reported.
      await generators[kind].runPhase({
        ...phase,
        rate: config.steadyRate,
        durationMs: config.warmupMs,
      });
    }
    const merged = await runInterleavedSteady(
      generators,
      kinds,
      { ...phase, rate: config.steadyRate, durationMs: config.steadyDurationMs },
      config.steadySlices,
    );
    for (const kind of kinds) {
      const result = merged[kind];
      steady[kind] = result;
      log(
        `[${kind}] steady ${config.steadyRate}/s (${config.steadySlices} interleaved slices): publish→kitchen p50/p99/max ${latency(result.publish_to_kitchen_ms)} ms, lost ${result.lost}`,
      );
    }
    const rampGenerators = {} as Record<RampKind, LoadGenerator>;
    for (const kind of kinds) {
      if (kind !== 'durable-tls' && kind !== 'durable-node-sqlite')
        rampGenerators[kind] = generators[kind];
    }
    const saturation = await rampSideBySide(
      rampGenerators,
      config.rampRates,
      { ...phase, durationMs: config.rampStepMs },
      { maxP99Ms: config.saturationP99Ms, minAchievedShare: config.saturationMinAchieved },
      (kind, step) =>
        log(
          `[${kind}] ramp ${step.offered_rate}/s: acked ${step.achieved_rate}/s, publish→kitchen p99 ${step.publish_to_kitchen_ms.p99} ms, lost ${step.lost}, relay CPU ${step.relay_cpu_percent}%`,
        ),
    );
    const runs: Partial<Record<RampKind, LoadRun>> = {};
    for (const kind of kinds) {
      if (kind === 'durable-tls' || kind === 'durable-node-sqlite') continue;
      runs[kind] = {
        steady: steady[kind]!,
        saturation: saturation[kind],
      };
    }
    const tlsSteady = steady['durable-tls'];
    const plainTcp = steady.durable;
    const tls: TlsRun | undefined = tlsSteady
      ? {
          steady: tlsSteady,
          p99_ratio_to_durable: ratio(
            tlsSteady.publish_to_kitchen_ms.p99,
            plainTcp?.publish_to_kitchen_ms.p99,
          ),
          cpu_per_order_ratio_to_durable: ratio(
            tlsSteady.relay_cpu_ms_per_1k_orders,
            plainTcp?.relay_cpu_ms_per_1k_orders,
          ),
        }
      : undefined;
    const engineSteady = steady['durable-node-sqlite'];
    const nodeSqlite: NodeSqliteRun | undefined = engineSteady
      ? {
          node: (await import('../exe/nodeBinary.mjs')).NODE_VERSION,
          steady: engineSteady,
          p99_ratio_to_durable: ratio(
            engineSteady.publish_to_kitchen_ms.p99,
            plainTcp?.publish_to_kitchen_ms.p99,
          ),
          cpu_per_order_ratio_to_durable: ratio(
            engineSteady.relay_cpu_ms_per_1k_orders,
            plainTcp?.relay_cpu_ms_per_1k_orders,
          ),
        }
      : undefined;
    return { load: runs, ...(tls ? { tls } : {}), ...(nodeSqlite ? { nodeSqlite } : {}) };
  } catch (error) {
    for (const relay of relays) {
      log(`[${relay.kind}] relay's last output:\n${relay.recentOutput().join('\n')}`);
    }
    throw error;
  } finally {
    for (const generator of Object.values<LoadGenerator>(generators)) generator.close();
    for (const relay of relays) await relay.stop();
  }
}

async function main(): Promise<void> {
  if (
    (config.scenarios.has('A') || config.scenarios.has('C') || config.scenarios.has('D')) &&
    !existsSync(durableCliPath)
  ) {
    throw new Error(
      `${durableCliPath} is missing: run \`pnpm --filter @kitchen-sync/relay build\` first`,
    );
  }
  const scenarioOf = {
    durable: 'A',
    'durable-tls': 'E',
    'durable-node-sqlite': 'F',
    plain: 'B',
  } as const;
  const loadKinds = (['durable', 'durable-tls', 'durable-node-sqlite', 'plain'] as const).filter(
    (kind) => config.scenarios.has(scenarioOf[kind]),
  );
  const { load, tls, nodeSqlite } =
    loadKinds.length > 0
      ? await runLoad(loadKinds)
      : { load: {}, tls: undefined, nodeSqlite: undefined };

  const coldStart = config.scenarios.has('G')
    ? [
        await measureColdStart(
          [ensureLinuxExecutable()],
          'kitchen-sync-relay (executable, node:sqlite)',
          config.coldStarts,
          secret,
        ),
        await measureColdStart(
          [process.execPath, durableCliPath],
          `node dist/cli.js (Node ${process.version}, better-sqlite3)`,
          config.coldStarts,
          secret,
        ),
      ]
    : undefined;

  const polling = config.scenarios.has('C')
    ? await withRelay(
        'durable',
        ['--retention-events', String(Math.max(...config.pollingSizes) * 2)],
        (relay) =>
          measurePollingCost(relay, secret, {
            sizes: config.pollingSizes,
            samples: config.pollingSamples,
            outletId: OUTLET,
            tenantId: TENANT,
          }),
      )
    : undefined;

  const idle: BenchResults['idle_kitchens'] = {};
  if (config.scenarios.has('D')) {
    for (const kind of ['durable', 'plain'] as const) {
      idle[kind] = await withRelay(kind, [], (relay) =>
        measureIdleKitchens(relay, secret, config.idleKitchens, OUTLET, TENANT),
      );
    }
  }

  const measured: Omit<BenchResults, 'targets'> = {
    generated_at: new Date().toISOString(),
    command: 'pnpm bench:relay',
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      note: 'the load generator (bench process) and the relay (child process) share these cores, and so does any other work on the machine (see loadavg)',
    },
    config: { ...config, scenarios: [...config.scenarios] },
    load,
    ratio_durable_to_plain: {
      saturation_held_rate: ratio(
        load.durable?.saturation.held_rate,
        load.plain?.saturation.held_rate,
      ),
      max_achieved_rate: ratio(
        load.durable?.saturation.max_achieved_rate,
        load.plain?.saturation.max_achieved_rate,
      ),
      // Inverse on purpose: orders per relay CPU-second, durable over plain.
      cpu_capacity_at_steady: ratio(
        load.plain?.steady.relay_cpu_ms_per_1k_orders,
        load.durable?.steady.relay_cpu_ms_per_1k_orders,
      ),
    },
    ...(tls ? { tls } : {}),
    ...(nodeSqlite ? { node_sqlite: nodeSqlite } : {}),
    ...(coldStart ? { cold_start: coldStart } : {}),
    polling,
    idle_kitchens: idle,
  };
  const results: BenchResults = { ...measured, targets: checkTargets(measured) };
  mkdirSync(dirname(config.outputPath), { recursive: true });
  writeFileSync(config.outputPath, toResultsJson(results));
  log(`\n${formatSummary(results)}\n\nJSON: ${config.outputPath}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
