import type { ClusterRun } from './clusterRun.js';
import type { ColdStart } from './coldStart.js';
import type { BenchConfig } from './config.js';
import type { IdleKitchensResult } from './idleKitchens.js';
import type { PhaseResult } from './loadGenerator.js';
import type { PollingPoint } from './pollingCost.js';
import type { RelayKind, SteadyOnlyKind } from './relayProcess.js';
import { latency, table } from './report.js';
import type { SaturationResult } from './saturation.js';
import type { TargetCheck } from './targets.js';

export interface LoadRun {
  steady: PhaseResult;
  saturation: SaturationResult;
}

/** Scenario E: the durable relay over TLS at the steady rate, against A's steady phase. */
export interface TlsRun {
  steady: PhaseResult;
  /** TLS p99 publish→kitchen over the durable (plain TCP) relay's, same run. */
  p99_ratio_to_durable: number | null;
  /** Relay CPU per order, TLS over plain TCP. */
  cpu_per_order_ratio_to_durable: number | null;
}

/** Scenario F: the durable relay on node:sqlite at the steady rate, against A's (better-sqlite3). */
export interface NodeSqliteRun {
  node: string;
  steady: PhaseResult;
  /** node:sqlite p99 publish→kitchen over better-sqlite3's, same run. */
  p99_ratio_to_durable: number | null;
  /** Relay CPU per order, node:sqlite over better-sqlite3. */
  cpu_per_order_ratio_to_durable: number | null;
}

export interface BenchResults {
  generated_at: string;
  command: string;
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; note: string };
  config: Omit<BenchConfig, 'scenarios'> & { scenarios: string[] };
  load: Partial<Record<Exclude<RelayKind, SteadyOnlyKind>, LoadRun>>;
  tls?: TlsRun;
  node_sqlite?: NodeSqliteRun;
  /** Scenario G: the executable and, for comparison, `node dist/cli.js`. */
  cold_start?: ColdStart[];
  ratio_durable_to_plain: {
    saturation_held_rate: number | null;
    max_achieved_rate: number | null;
    /** Orders per relay CPU-second at the steady rate: what the relay could do with a core to itself. */
    cpu_capacity_at_steady: number | null;
  };
  polling?: PollingPoint[];
  idle_kitchens: Partial<Record<Exclude<RelayKind, SteadyOnlyKind>, IdleKitchensResult>>;
  /** Scenario H: one SQLite relay against a cluster on PostgreSQL and Redis. */
  cluster?: ClusterRun;
  targets: TargetCheck[];
}

/** Scenario H's lines of the summary. */
export function formatCluster(run: ClusterRun): string {
  return [
    `H: one SQLite relay vs a ${run.nodes}-node cluster (PostgreSQL + Redis), POS and kitchens spread over the nodes. NOTE: ${run.note}`,
    table(
      [
        'rate/s',
        'relay',
        'publish→kitchen',
        'acked/s',
        'lost',
        'dup',
        'out of order',
        'relay CPU ms/1k orders',
        'per node',
      ],
      run.steady.flatMap((s) => [
        [
          s.rate,
          'single',
          latency(s.single.publish_to_kitchen_ms),
          s.single.achieved_rate,
          s.single.lost,
          s.single.duplicates,
          s.single.out_of_order,
          s.single.relay_cpu_ms_per_1k_orders,
          s.single.relay_cpu_ms_per_1k_orders,
        ],
        [
          s.rate,
          'cluster',
          latency(s.cluster.publish_to_kitchen_ms),
          s.cluster.achieved_rate,
          s.cluster.lost,
          s.cluster.duplicates,
          s.cluster.out_of_order,
          s.cluster.relay_cpu_ms_per_1k_orders,
          s.cluster_cpu_ms_per_1k_orders_per_node,
        ],
      ]),
    ),
    `saturation (held rate): single ${run.saturation.single.held_rate ?? '-'} /s, cluster ${run.saturation.cluster.held_rate ?? '-'} /s`,
  ].join('\n');
}

const KINDS = ['durable', 'plain'] as const;

/** The human-readable end of a run; the same figures are in the JSON file. */
export function formatSummary(results: BenchResults): string {
  const { machine, load, config } = results;
  const out = [
    `=== relay benchmark: ${machine.cpus} × ${machine.cpu_model}, Node ${machine.node}; ${machine.note} ===`,
  ];
  const kinds = KINDS.filter((kind) => load[kind]);
  if (kinds.length > 0) {
    out.push(
      '',
      `A/B steady load: ${config.steadyRate} orders/s for ${config.steadyDurationMs / 1000} s (${config.steadySlices} slices interleaved across the relays), ` +
        `${config.posCount} POS, ${config.kitchenCount} kitchens; latency p50 / p99 / max in ms from the scheduled send; ` +
        `gen lag = how late the generator itself sent (ms)`,
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
          'bad envelopes',
          'RSS MB',
          'relay CPU %',
          'gen CPU %',
          'gen lag p99',
          'loadavg',
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
            s.envelope_errors,
            s.relay_rss_mb_max,
            s.relay_cpu_percent,
            s.generator_cpu_percent,
            s.generator_send_lag_ms.p99,
            s.loadavg,
          ];
        }),
      ),
      '',
      `Saturation ramp, ${config.rampStepMs / 1000} s per step; a step holds while p99 publish→kitchen ≤ ` +
        `${config.saturationP99Ms} ms, nothing lost, duplicated or failed, acked ≥ ${config.saturationMinAchieved * 100}% of offered; ` +
        'a rate that breaks once is run again, and breaks only if it breaks twice',
      table(
        [
          'relay',
          'offered/s',
          'acked/s',
          'publish→kitchen',
          'lost',
          'drain s',
          'relay CPU %',
          'gen CPU %',
          'gen lag p99',
          'relay CPU ms/1k orders',
          'loadavg',
        ],
        kinds.flatMap((kind) =>
          load[kind]!.saturation.steps.map((s) => [
            kind,
            s.offered_rate,
            s.achieved_rate,
            latency(s.publish_to_kitchen_ms),
            s.lost,
            s.drain_s,
            s.relay_cpu_percent,
            s.generator_cpu_percent,
            s.generator_send_lag_ms.p99,
            s.relay_cpu_ms_per_1k_orders,
            s.loadavg,
          ]),
        ),
      ),
      '',
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
    out.push(
      `durable / plain: held rate ${r.saturation_held_rate ?? '-'}, max acked rate ${r.max_achieved_rate ?? '-'}, ` +
        `orders per relay CPU-second at steady load ${r.cpu_capacity_at_steady ?? '-'}`,
    );
  }
  if (results.tls) {
    const rows = [
      ...(load.durable ? [['durable (TCP)', load.durable.steady] as const] : []),
      ['durable-tls', results.tls.steady] as const,
    ];
    out.push(
      '',
      `E TLS: the durable relay with --tls auto (HTTPS + WSS), ${config.steadyRate} orders/s for ` +
        `${config.steadyDurationMs / 1000} s, in slices interleaved with A's steady phase; latency p50 / p99 / max in ms`,
      table(
        [
          'relay',
          'publish→ack',
          'publish→kitchen',
          'acked/s',
          'lost',
          'dup',
          'relay CPU %',
          'relay CPU ms/1k orders',
          'RSS MB',
          'gen lag p99',
          'loadavg',
        ],
        rows.map(([name, s]) => [
          name,
          latency(s.publish_to_ack_ms),
          latency(s.publish_to_kitchen_ms),
          s.achieved_rate,
          s.lost,
          s.duplicates,
          s.relay_cpu_percent,
          s.relay_cpu_ms_per_1k_orders,
          s.relay_rss_mb_max,
          s.generator_send_lag_ms.p99,
          s.loadavg,
        ]),
      ),
      `TLS / TCP: p99 publish→kitchen ${results.tls.p99_ratio_to_durable ?? '-'}, relay CPU per order ${results.tls.cpu_per_order_ratio_to_durable ?? '-'}`,
    );
  }
  if (results.node_sqlite) {
    const run = results.node_sqlite;
    out.push(
      '',
      `F SQLite engines: the durable relay on node:sqlite (Node ${run.node}) beside A's on better-sqlite3 ` +
        `(Node ${machine.node}), ${config.steadyRate} orders/s for ${config.steadyDurationMs / 1000} s; latency p50 / p99 / max in ms`,
      table(
        [
          'relay',
          'publish→ack',
          'publish→kitchen',
          'acked/s',
          'lost',
          'relay CPU ms/1k orders',
          'RSS MB',
        ],
        [
          ...(load.durable ? [['better-sqlite3', load.durable.steady] as const] : []),
          ['node:sqlite', run.steady] as const,
        ].map(([name, s]) => [
          name,
          latency(s.publish_to_ack_ms),
          latency(s.publish_to_kitchen_ms),
          s.achieved_rate,
          s.lost,
          s.relay_cpu_ms_per_1k_orders,
          s.relay_rss_mb_max,
        ]),
      ),
      `node:sqlite / better-sqlite3: p99 publish→kitchen ${run.p99_ratio_to_durable ?? '-'}, relay CPU per order ${run.cpu_per_order_ratio_to_durable ?? '-'}`,
    );
  }
  if (results.cold_start) {
    out.push(
      '',
      'G cold start: spawn to the first /health 200, new data dir each time',
      table(
        ['command', 'size MB', 'median ms', 'max ms', 'samples'],
        results.cold_start.map((c) => [
          c.command,
          c.size_mb ?? '-',
          c.to_health_ms.median,
          c.to_health_ms.max,
          c.to_health_ms.samples.join(' '),
        ]),
      ),
    );
  }
  if (results.polling) {
    out.push(
      '',
      'C polling cost, durable relay: GET /api/events?since=<head-50>&limit=50, sequential requests',
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
  const idleKinds = KINDS.filter((kind) => results.idle_kitchens[kind]);
  if (idleKinds.length > 0) {
    out.push(
      '',
      'D idle kitchens: relay RSS with kitchen sockets connected and caught up',
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
  out.push(
    '',
    config.quick
      ? 'Targets (issue 3), from a BENCH_QUICK smoke run: short phases right after a short warm-up; judge them on a full run'
      : 'Targets (issue 3)',
    table(
      ['target', 'measured', 'verdict'],
      results.targets.map((t) => [
        t.target,
        t.measured,
        t.invalid
          ? `INVALID: ${t.invalid}`
          : t.pass === null
            ? 'not run'
            : t.pass
              ? 'PASS'
              : 'FAIL',
      ]),
    ),
  );
  if (results.cluster) out.push('', formatCluster(results.cluster));
  return out.join('\n');
}
