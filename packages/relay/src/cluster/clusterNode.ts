import { hostname } from 'node:os';
import type { ClusterHealth } from '@kitchen-sync/protocol';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Server } from 'socket.io';
import { ConfigError } from '../lib/configError.js';
import type { LiveFeed } from '../lib/liveFeed.js';
import type { StoredEvent } from '../store/EventStore.js';
import { attachPresenceAdapter, type PresenceAdapter } from './presenceAdapter.js';
import { createRedisFanout, type RedisFanout } from './redisFanout.js';
import { redisUrlProblem } from './redisUrl.js';
import { createSequencer, type SequencerLog } from './sequencer.js';

const FANOUT_STATES = ['up', 'down', 'store_polling'] as const;
const PRESENCE_STATES = ['up', 'down', 'local'] as const;

export interface ClusterOptions {
  /** Redis for the fan-out between nodes; without it a node polls the store (slower, correct). */
  redisUrl?: string;
  /** This node's name in /health and the fan-out. Default: host name and pid. */
  nodeId?: string;
  /** How often each outlet's head is compared with what this node delivered. Default 300 ms. */
  headCheckMs?: number;
  /** A drain cuts clients in groups this far apart, and closes one step after the last. Default 100 ms. */
  drainStepMs?: number;
}

export interface ClusterNodeOptions extends ClusterOptions {
  log: SequencerLog;
  storeKind: string;
  live: LiveFeed;
  registry: Registry;
  logger: Logger;
  now: () => number;
  /** Monotonic clock (ms) for the fan-out lag and when nodes were last heard. */
  elapsed: () => number;
}

export interface ClusterNode {
  /** This node committed these events (after the commit, in seq order). */
  committed(events: StoredEvent[]): void;
  /** Resolves once this node delivered the outlet's events through `seq` (see the sequencer). */
  deliveredThrough(outlet: string, seq: number): Promise<void>;
  /** Lets presence events (seq null) reach the clients of every node. */
  attach(io: Server): Promise<void>;
  health(draining: boolean): ClusterHealth;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One relay node of a cluster: its commits and the other nodes' announcements go through one
 * sequencer, which alone feeds the live delivery (sockets, long polls) of this node.
 */
export function createClusterNode(options: ClusterNodeOptions): ClusterNode {
  const { logger, now, live } = options;
  const nodeId = options.nodeId ?? `${hostname()}-${process.pid}`;
  const urlProblem = options.redisUrl ? redisUrlProblem(options.redisUrl) : null;
  if (urlProblem) {
    throw new ConfigError('cluster_redis_url_invalid', `the cluster's redisUrl ${urlProblem}`);
  }
  const latency = new Histogram({
    name: 'kitchen_sync_cluster_delivery_latency_seconds',
    help: 'Commit on another node to live delivery on this one: remote = through Redis (from the commit time in the announcement), store = read from the store to fill a gap (from the event timestamp)',
    labelNames: ['origin'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.registry],
  });
  const caughtUp = new Counter({
    name: 'kitchen_sync_cluster_catchup_events_total',
    help: 'Events read from the store because their announcement was late or lost, by reason',
    labelNames: ['reason'],
    registers: [options.registry],
  });
  const readFailures = new Counter({
    name: 'kitchen_sync_cluster_store_read_failures_total',
    help: 'Failed reads of heads or gaps from the shared store (retried)',
    registers: [options.registry],
  });
  for (const reason of ['gap', 'tail']) caughtUp.inc({ reason }, 0);
  let storeReachable = true;
  // When the announcing node committed each event it announced (its clock, carried in the
  // message); events read from the store fall back to their own timestamp.
  const committedAt = new WeakMap<StoredEvent, number>();
  const sequencer = createSequencer({
    log: {
      heads: async (outlets) => {
        const heads = await options.log.heads(outlets);
        storeReachable = true;
        return heads;
      },
      eventsAfter: (outlet, since, limit) => options.log.eventsAfter(outlet, since, limit),
    },
    elapsed: options.elapsed,
    announced: Boolean(options.redisUrl),
    ...(options.headCheckMs ? { headCheckMs: options.headCheckMs } : {}),
    deliver(deliveries) {
      const at = now();
      for (const { event, origin } of deliveries) {
        if (origin === 'local') continue;
        const committed = committedAt.get(event) ?? event.tsMs;
        latency.observe({ origin }, Math.max(0, at - committed) / 1000);
      }
      live.publish(deliveries.map((d) => d.event));
    },
    onCaughtUp: (outlet, count, reason) => {
      caughtUp.inc({ reason }, count);
      logger.debug({ outlet, count, reason }, 'events caught up from the store');
    },
    onReadFailed: (error) => {
      storeReachable = false;
      readFailures.inc();
      logger.warn({ err: error }, 'cluster: reading the shared store failed; retrying');
    },
  });
  const fanout: RedisFanout | null = options.redisUrl
    ? createRedisFanout({
        url: options.redisUrl,
        nodeId,
        now,
        elapsed: options.elapsed,
        onAnnouncement: ({ events, committedMs }) => {
          for (const event of events) committedAt.set(event, committedMs);
          sequencer.offer(events, 'remote');
        },
        onBadAnnouncement: (error) =>
          logger.warn(
            { err: error },
            'cluster: an announcement on Redis was unreadable; the store fills it in',
          ),
        onStateChange: (change) => {
          if (change.state === 'up') {
            logger.info('cluster: Redis answers again; fan-out up');
            return;
          }
          const { reason, text, error } = change.failure;
          logger.warn(
            { reason, err: error },
            `cluster: fan-out down: ${text}; orders still arrive, read from the store`,
          );
        },
      })
    : null;
  const fanoutState = (): ClusterHealth['fanout']['state'] =>
    fanout ? fanout.state() : 'store_polling';
  // For alerts: an outage is otherwise only in /health and one log line per change.
  new Gauge({
    name: 'kitchen_sync_cluster_fanout_state',
    help: "The fan-out's state, as /health cluster.fanout.state (1 for the current one)",
    labelNames: ['state'],
    registers: [options.registry],
    collect() {
      const current = fanoutState();
      for (const state of FANOUT_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kitchen_sync_cluster_store_reachable',
    help: "1 while this node's last read of the shared store worked, 0 while its reads fail",
    registers: [options.registry],
    collect() {
      this.set(storeReachable ? 1 : 0);
    },
  });
  let presence: PresenceAdapter | undefined;
  const presenceState = (): ClusterHealth['presence']['state'] =>
    presence ? presence.state() : 'local';
  new Gauge({
    name: 'kitchen_sync_cluster_presence_state',
    help: 'Presence across nodes through Redis, as /health cluster.presence.state (1 for the current one)',
    labelNames: ['state'],
    registers: [options.registry],
    collect() {
      const current = presenceState();
      for (const state of PRESENCE_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });

  return {
    committed(events) {
      fanout?.announce(events, now());
      sequencer.offer(events, 'local');
    },
    deliveredThrough: (outlet, seq) => sequencer.deliveredThrough(outlet, seq),
    async attach(io) {
      if (!options.redisUrl) return;
      presence = await attachPresenceAdapter(io, {
        url: options.redisUrl,
        now,
        onStateChange: (change) => {
          if (change.state === 'up') {
            logger.info(
              { code: 'cluster_presence_up' },
              'cluster: Redis answers again; presence up',
            );
            return;
          }
          const { reason, text, error } = change.failure;
          logger.warn(
            { code: 'cluster_presence_down', reason, err: error },
            `cluster: presence down: ${text}; kitchens' presence reaches this node's clients only`,
          );
        },
      });
    },
    health(draining) {
      return {
        node_id: nodeId,
        nodes_seen: fanout?.nodesSeen() ?? [nodeId],
        role: 'member',
        draining,
        fanout: {
          state: fanoutState(),
          lag_ms: sequencer.status().lagMs,
        },
        store: { kind: options.storeKind, reachable: storeReachable },
        presence: {
          state: presenceState(),
          ...(presence?.reason() ? { reason: presence.reason()! } : {}),
        },
      };
    },
    async start() {
      sequencer.start();
      await fanout?.start();
      logger.info(
        {
          node_id: nodeId,
          fanout: fanout ? 'redis' : 'store polling',
          fanout_state: fanoutState(),
        },
        fanout ? 'cluster node started' : 'cluster node started without Redis: store polling only',
      );
    },
    async close() {
      sequencer.stop();
      await fanout?.close();
      presence?.close();
    },
  };
}
