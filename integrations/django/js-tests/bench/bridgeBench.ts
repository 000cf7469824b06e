// `pnpm bench:bridge` (after `pnpm build`): the relay's uplink to the real central (daphne +
// Redis + integrations/django on a PostgreSQL 15 started here), on loopback.
// (a) Upload throughput: a relay holding BENCH_BRIDGE_BACKLOG unsent events (central down
//     while they were published) and central coming back: events/s from central's first
//     confirmation to the last, and the time until nothing is pending.
// (b) p99 publish→kitchen at BENCH_RATE orders/s (the relay bench's open-loop load generator,
//     POS and kitchen sockets) on a relay without a bridge, then on one whose uplink is
//     draining a backlog of the same size the whole time. Target: ≤ 1.2× the first.
//     Central (daphne, PostgreSQL, Redis) runs at nice BENCH_CENTRAL_NICE (default 19): on an
//     outlet it is another machine, here it shares the two cores with the relay and the load
//     generator, and at the same priority its CPU, not the relay's, made the tail.
// (c) The same as (b) with paceCentral.mjs for central: it confirms each batch after the time
//     the real central took for one in (a) and does nothing else, so the uplink runs at the
//     same pace while central's CPU is not on the two cores: the relay's own share of (b).
// BENCH_QUICK=1 is a small smoke run (1,000 events, 5 POS, 10 kitchens, 3 s), written to
// results/bridge-quick.json; its figures judge nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, setPriority } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BridgeHealth } from '@kitchen-sync/protocol';
import { runInterleavedSteady } from '../../../../packages/relay/bench/interleavedSteady.js';
import { LoadGenerator, type PhaseResult } from '../../../../packages/relay/bench/loadGenerator.js';
import { type RelayProcess, startRelay } from '../../../../packages/relay/bench/relayProcess.js';
import { toResultsJson } from '../../../../packages/relay/bench/resultsJson.js';
import { freePort } from '../../../../test-support/ports.js';
import { Child } from '../harness/childProcess.js';
import { DjangoStack, RELAY_SECRET } from '../harness/djangoStack.js';
import { pollUntil, waitFor } from '../harness/waitFor.js';

const env = process.env;
const PACE_CENTRAL = fileURLToPath(new URL('./paceCentral.mjs', import.meta.url));
const num = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
};
const quick = env.BENCH_QUICK === '1';
const config = {
  backlogEvents: num(env.BENCH_BRIDGE_BACKLOG, quick ? 1_000 : 10_000),
  rate: num(env.BENCH_RATE, 500),
  durationMs: num(env.BENCH_DURATION_S, quick ? 3 : 30) * 1000,
  warmupMs: quick ? 500 : 2_000,
  posCount: num(env.BENCH_POS, quick ? 5 : 20),
  kitchenCount: num(env.BENCH_KITCHENS, quick ? 10 : 50),
  /** Orders/s while the backlog is published with central down (one event each). */
  fillRate: num(env.BENCH_BRIDGE_FILL_RATE, 1_000),
  drainTimeoutMs: num(env.BENCH_BRIDGE_DRAIN_TIMEOUT_S, 300) * 1000,
  centralNice: env.BENCH_CENTRAL_NICE === undefined ? 19 : Number(env.BENCH_CENTRAL_NICE),
  /** (b) and (c): the draining relay has half the time, so its backlog must last twice as long. */
  drainingBacklogEvents: num(env.BENCH_BRIDGE_DRAINING_BACKLOG, quick ? 2_000 : 20_000),
  slices: num(env.BENCH_STEADY_SLICES, quick ? 2 : 6),
  outputPath:
    env.BENCH_OUT ??
    fileURLToPath(
      new URL(quick ? './results/bridge-quick.json' : './results/bridge.json', import.meta.url),
    ),
};
const shape = {
  posCount: config.posCount,
  kitchenCount: config.kitchenCount,
  outletId: 1,
  tenantId: 1,
};
const drain = { drainStallMs: 2_000, drainMaxMs: 30_000 };
/** The relay's upload batch (its default). */
const BATCH = 200;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function bridgeHealth(relay: RelayProcess): Promise<BridgeHealth> {
  const health = (await (await fetch(`${relay.url}/health`)).json()) as { bridge?: BridgeHealth };
  if (!health.bridge) throw new Error('the relay runs without a bridge');
  return health.bridge;
}

/** Publishes `events` orders (one log event each) at the fill rate; none may fail. */
async function fillBacklog(generator: LoadGenerator, events: number) {
  const result = await generator.runPhase({
    rate: config.fillRate,
    durationMs: (events / config.fillRate) * 1000,
    ...drain,
  });
  if (result.acked !== result.sent)
    throw new Error(`backlog: ${result.acked}/${result.sent} acked`);
}

async function warmUp(generator: LoadGenerator): Promise<void> {
  await generator.runPhase({ rate: config.rate, durationMs: config.warmupMs, ...drain });
}

function phaseFigures(result: PhaseResult) {
  return {
    p99_publish_to_kitchen_ms: result.publish_to_kitchen_ms.p99,
    p50_publish_to_kitchen_ms: result.publish_to_kitchen_ms.p50,
    p99_publish_to_ack_ms: result.publish_to_ack_ms.p99,
    sent: result.sent,
    acked: result.acked,
    lost: result.lost,
    duplicates: result.duplicates,
    relay_cpu_ms_per_1k_orders: result.relay_cpu_ms_per_1k_orders,
    generator_send_lag_p99_ms: result.generator_send_lag_ms.p99,
    loadavg: result.loadavg,
  };
}

interface OpenRelay {
  relay: RelayProcess;
  generator: LoadGenerator;
  close(): Promise<void>;
}

async function openRelay(extraArgs: string[]): Promise<OpenRelay> {
  const relay = await startRelay({ kind: 'durable', secret: RELAY_SECRET, extraArgs });
  try {
    const generator = await LoadGenerator.open(relay, RELAY_SECRET, shape);
    return {
      relay,
      generator,
      async close() {
        generator.close();
        await relay.stop();
      },
    };
  } catch (error) {
    await relay.stop();
    throw error;
  }
}

/**
 * (b) and (c): a fresh backlog on `draining`'s uplink, then the load in alternating slices on
 * the relay without a bridge and on `draining` (runInterleavedSteady, as the relay bench
 * compares its TLS and TCP relays): back to back, the same relay's p99 moved 3.5–6.7 ms
 * between 30 s phases on these two cores, more than the 1.2× the target allows. The
 * uplink drains the whole time, through the baseline's slices too, so both are measured under
 * the same background and the ratio is what draining costs the relay that does it.
 */
async function againstBaseline(
  baseline: OpenRelay,
  draining: OpenRelay,
  centralDown: () => Promise<unknown>,
  centralUp: () => Promise<unknown>,
) {
  await centralDown();
  // The same orders into both logs, so the relays differ in the uplink alone.
  await fillBacklog(draining.generator, config.drainingBacklogEvents);
  await fillBacklog(baseline.generator, config.drainingBacklogEvents);
  await centralUp();
  const before = (await bridgeHealth(draining.relay)).pendingEvents;
  await pollUntil(
    () => bridgeHealth(draining.relay),
    (h) => h.pendingEvents < before,
    config.drainTimeoutMs,
  );
  await warmUp(baseline.generator);
  await warmUp(draining.generator);
  const merged = await runInterleavedSteady(
    { none: baseline.generator, draining: draining.generator },
    ['none', 'draining'] as const,
    { rate: config.rate, durationMs: config.durationMs, ...drain },
    config.slices,
  );
  const after = await bridgeHealth(draining.relay);
  const without = phaseFigures(merged.none);
  const withUplink = phaseFigures(merged.draining);
  return {
    without_bridge: without,
    uplink_draining: {
      ...withUplink,
      pending_events_at_start: before,
      // Above zero: the uplink was still draining when the phase ended.
      pending_events_at_end: after.pendingEvents,
    },
    p99_ratio: round(withUplink.p99_publish_to_kitchen_ms / without.p99_publish_to_kitchen_ms),
  };
}

const stack = await new DjangoStack({
  database: 'postgres',
  niceness: config.centralNice,
}).start();
const startedLoad = round(loadavg()[0] ?? 0);
const opened: OpenRelay[] = [];
let pace: Child | null = null;
const open = async (extraArgs: string[]) => {
  const relay = await openRelay(extraArgs);
  opened.push(relay);
  return relay;
};
try {
  const tokenFile = await stack.writeRelayCredentialFile(1);
  const baseline = await open([]);
  const real = await open(['--central-url', stack.url, '--central-token-file', tokenFile]);

  // (a) A backlog published while central is down, then central back.
  await stack.killDaphne();
  await fillBacklog(real.generator, config.backlogEvents);
  const pending = (await bridgeHealth(real.relay)).pendingEvents;
  await stack.startDaphne();
  const back = performance.now();
  const first = await pollUntil(
    () => bridgeHealth(real.relay),
    (h) => h.pendingEvents < pending,
    config.drainTimeoutMs,
  );
  const firstAt = performance.now();
  await pollUntil(
    () => bridgeHealth(real.relay),
    (h) => h.pendingEvents === 0,
    config.drainTimeoutMs,
  );
  const drainedAt = performance.now();
  const upload = {
    backlog_events: pending,
    first_confirmation_after_central_back_s: round((firstAt - back) / 1000),
    caught_up_after_central_back_s: round((drainedAt - back) / 1000),
    // What was left at the first confirmation, over the time it took: back-off excluded.
    events_per_s: Math.round(first.pendingEvents / ((drainedAt - firstAt) / 1000)),
  };

  // (b) A new backlog to the real central, drained while the load runs.
  const realCentral = await againstBaseline(
    baseline,
    real,
    () => stack.killDaphne(),
    () => stack.startDaphne(),
  );
  await real.close();

  // (c) Central's pace without central's CPU: nothing listens on its port until the backlog
  // is in; then paceCentral confirms a batch every `msPerBatch`.
  const msPerBatch = Math.round((BATCH / upload.events_per_s) * 1000);
  const pacePort = await freePort();
  const paced = await open([
    '--central-url',
    `http://127.0.0.1:${pacePort}`,
    '--central-token-file',
    tokenFile,
  ]);
  const pacedCentral = await againstBaseline(
    baseline,
    paced,
    async () => undefined,
    async () => {
      const started = new Child(
        process.execPath,
        [PACE_CENTRAL, String(msPerBatch), String(pacePort)],
        {},
      );
      pace = started;
      // A stand-in for a central elsewhere, like the real one: at central's nice value.
      if (started.child.pid !== undefined) setPriority(started.child.pid, config.centralNice);
      await waitFor(() => started.output.includes('listening on'), 10_000, 'paceCentral');
    },
  );

  const report = {
    date: new Date().toISOString(),
    quick,
    central: `daphne + Redis + integrations/django on PostgreSQL 15 (fsync off), loopback, nice ${config.centralNice}`,
    config: {
      backlog_events: config.backlogEvents,
      draining_backlog_events: config.drainingBacklogEvents,
      rate: config.rate,
      duration_s: config.durationMs / 1000,
      interleaved_slices: config.slices,
      pos: config.posCount,
      kitchens: config.kitchenCount,
    },
    load_average_1m_at_start: startedLoad,
    upload_throughput: upload,
    publish_to_kitchen: {
      target_ratio: 1.2,
      real_central: {
        ...realCentral,
        within_target: realCentral.p99_ratio <= 1.2,
      },
      paced_central: {
        ms_per_batch: msPerBatch,
        ...pacedCentral,
        within_target: pacedCentral.p99_ratio <= 1.2,
      },
    },
  };
  console.log(JSON.stringify(report, null, 2));
  mkdirSync(dirname(config.outputPath), { recursive: true });
  writeFileSync(config.outputPath, toResultsJson(report));
} finally {
  for (const relay of opened) await relay.close().catch(() => undefined);
  (pace as Child | null)?.stop();
  await stack.stop();
}
