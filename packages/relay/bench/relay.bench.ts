/**
 * `pnpm bench:relay`: the durable relay against a plain Socket.IO broadcast relay, side by
 * side in one run (A, B), polling cost as the log grows (C) and idle-kitchen RSS (D).
 * Relays run as child processes; the load generator runs in this process. Knobs: config.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { readConfig } from './config.js';
import { measureIdleKitchens } from './idleKitchens.js';
import { LoadGenerator, type PhaseResult } from './loadGenerator.js';
import { measurePollingCost } from './pollingCost.js';
import { durableCliPath, type RelayKind, type RelayProcess, startRelay } from './relayProcess.js';
import { latency, ratio, table } from './report.js';
import { findSaturation, type SaturationResult } from './saturation.js';

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

interface LoadRun {
  steady: PhaseResult;
  saturation: SaturationResult;
}

async function withRelay<T>(
  kind: RelayKind,
  extraArgs: string[],
  body: (relay: RelayProcess) => Promise<T>,
): Promise<T> {
  const relay = await startRelay({ kind, secret, extraArgs });
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

// The limiter and connection cap are taken out of the way: the benchmark measures capacity.
const DURABLE_LOAD_ARGS = ['--rate-limit', '0'];

function runLoad(kind: RelayKind): Promise<LoadRun> {
  return withRelay(kind, kind === 'durable' ? DURABLE_LOAD_ARGS : [], async (relay) => {
    const generator = await LoadGenerator.open(relay, secret, {
      posCount: config.posCount,
      kitchenCount: config.kitchenCount,
      outletId: OUTLET,
      tenantId: TENANT,
    });
    try {
      const phase = { drainTimeoutMs: config.drainTimeoutMs, ackTimeoutMs: config.ackTimeoutMs };
      // Warm-up (JIT, SQLite page cache) is not reported.
      await generator.runPhase({ ...phase, rate: config.steadyRate, durationMs: config.warmupMs });
      const steady = await generator.runPhase({
        ...phase,
        rate: config.steadyRate,
        durationMs: config.steadyDurationMs,
      });
      log(
        `[${kind}] steady ${config.steadyRate}/s: kitchen p50/p99/max ${latency(steady.publish_to_kitchen_ms)} ms, lost ${steady.lost}`,
      );
      const saturation = await findSaturation(
        generator,
        config.rampRates,
        { ...phase, durationMs: config.rampStepMs },
        { maxP99Ms: config.saturationP99Ms, minAchievedShare: config.saturationMinAchieved },
        (step) =>
          log(
            `[${kind}] ramp ${step.offered_rate}/s: achieved ${step.achieved_rate}/s, kitchen p99 ${step.publish_to_kitchen_ms.p99} ms, lost ${step.lost}, relay CPU ${step.relay_cpu_percent}%`,
          ),
      );
      return { steady, saturation };
    } finally {
      generator.close();
    }
  });
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
  const load: Partial<Record<RelayKind, LoadRun>> = {};
  if (config.scenarios.has('A')) load.durable = await runLoad('durable');
  if (config.scenarios.has('B')) load.plain = await runLoad('plain');

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

  const idle: Partial<Record<RelayKind, Awaited<ReturnType<typeof measureIdleKitchens>>>> = {};
  if (config.scenarios.has('D')) {
    for (const kind of ['durable', 'plain'] as const) {
      idle[kind] = await withRelay(kind, [], (relay) =>
        measureIdleKitchens(relay, secret, config.idleKitchens, OUTLET, TENANT),
      );
    }
  }

  const results = {
    generated_at: new Date().toISOString(),
    command: 'pnpm bench:relay',
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      note: 'load generator (bench process) and relay (child process) share these cores',
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
      relay_cpu_per_order_at_steady: ratio(
        load.durable?.steady.relay_cpu_ms_per_1k_orders,
        load.plain?.steady.relay_cpu_ms_per_1k_orders,
      ),
    },
    polling,
    idle_kitchens: idle,
  };
  mkdirSync(dirname(config.outputPath), { recursive: true });
  writeFileSync(config.outputPath, `${JSON.stringify(results, null, 2)}\n`);
  printSummary(results);
  log(`\nJSON: ${config.outputPath}`);
}

function printSummary(results: {
  machine: { cpus: number; cpu_model: string; node: string };
  load: Partial<Record<RelayKind, LoadRun>>;
  ratio_durable_to_plain: Record<string, number | null>;
  polling?: Awaited<ReturnType<typeof measurePollingCost>>;
  idle_kitchens: Partial<Record<RelayKind, Awaited<ReturnType<typeof measureIdleKitchens>>>>;
}): void {
  const { machine, load } = results;
  log(
    `\n=== relay benchmark (${machine.cpus} × ${machine.cpu_model}, Node ${machine.node}; generator and relay share the cores) ===`,
  );
  const kinds = (['durable', 'plain'] as const).filter((kind) => load[kind]);
  if (kinds.length > 0) {
    log(
      `\nA/B steady load: ${config.steadyRate} orders/s for ${config.steadyDurationMs / 1000} s, ${config.posCount} POS, ${config.kitchenCount} kitchens (latency p50 / p99 / max, ms, from scheduled send)`,
    );
    log(
      table(
        [
          'relay',
          'publish→ack',
          'publish→kitchen',
          'acked/s',
          'deliveries/s',
          'lost',
          'dup',
          'out of order',
          'RSS MB',
          'relay CPU %',
          'gen CPU %',
        ],
        kinds.map((kind) => {
          const s = load[kind]!.steady;
          return [
            kind,
            latency(s.publish_to_ack_ms),
            latency(s.publish_to_kitchen_ms),
            s.achieved_rate,
            s.deliveries_per_s,
            s.lost,
            s.duplicates,
            s.out_of_order,
            s.relay_rss_mb_max,
            s.relay_cpu_percent,
            s.generator_cpu_percent,
          ];
        }),
      ),
    );
    log(
      `\nSaturation ramp (a step holds while p99 publish→kitchen ≤ ${config.saturationP99Ms} ms, lost = 0, no failed publish, achieved ≥ ${config.saturationMinAchieved * 100}% of offered; ${config.rampStepMs / 1000} s per step)`,
    );
    log(
      table(
        [
          'relay',
          'offered/s',
          'acked/s',
          'publish→kitchen',
          'lost',
          'relay CPU %',
          'gen CPU %',
          'CPU ms/1k orders',
        ],
        kinds.flatMap((kind) =>
          load[kind]!.saturation.steps.map((s) => [
            kind,
            s.offered_rate,
            s.achieved_rate,
            latency(s.publish_to_kitchen_ms),
            s.lost,
            s.relay_cpu_percent,
            s.generator_cpu_percent,
            s.relay_cpu_ms_per_1k_orders,
          ]),
        ),
      ),
    );
    log(
      table(
        ['relay', 'held rate/s', 'max acked/s', 'stopped at', 'why'],
        kinds.map((kind) => {
          const s = load[kind]!.saturation;
          return [
            kind,
            s.held_rate,
            s.max_achieved_rate,
            s.stopped_at,
            s.stop_reason ?? 'ramp exhausted',
          ];
        }),
      ),
    );
    const r = results.ratio_durable_to_plain;
    log(
      `durable/plain: held rate ${r.saturation_held_rate ?? '-'}, max acked rate ${r.max_achieved_rate ?? '-'}, relay CPU per order at steady load ${r.relay_cpu_per_order_at_steady ?? '-'}`,
    );
  }
  if (results.polling) {
    log('\nC polling cost: GET /api/events?since=<head-50>&limit=50 (durable relay)');
    log(
      table(
        [
          'events in log',
          'median ms',
          'p99 ms',
          'max ms',
          'samples',
          'events/page',
          'RSS MB',
          'fill rate/s',
        ],
        results.polling.map((p) => [
          p.events_in_log,
          p.median_ms,
          p.p99_ms,
          p.max_ms,
          p.samples,
          p.events_per_page,
          p.relay_rss_mb,
          p.fill_rate_per_s,
        ]),
      ),
    );
  }
  const idleKinds = (['durable', 'plain'] as const).filter((kind) => results.idle_kitchens[kind]);
  if (idleKinds.length > 0) {
    log('\nD idle kitchens: relay RSS with connected, caught-up kitchen sockets');
    log(
      table(
        ['relay', 'kitchens', 'RSS before MB', 'RSS connected MB', 'KB/kitchen', 'connect s'],
        idleKinds.map((kind) => {
          const d = results.idle_kitchens[kind]!;
          return [
            kind,
            d.kitchens,
            d.rss_before_mb,
            d.rss_connected_mb,
            d.kb_per_kitchen,
            d.connect_s,
          ];
        }),
      ),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
