import type { PublishAck } from '@kitchen-sync/protocol';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test-support/postgres.js';
import { startRedis, type TestRedis } from '../../../test-support/redis.js';
import { createMemoryEventStore, type EventStore } from '../src/index.js';
import {
  connected,
  http,
  order,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

// What an operator sees of the fan-out's health: /health, the log and /metrics, while Redis
// hangs, cannot be reached from the start, or PostgreSQL goes away. Real Redis and PostgreSQL.
let redis: TestRedis;
const nodes: TestRelay[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});
afterEach(async () => {
  // A test that failed while Redis was paused must not leave it paused for the next.
  redis.resume();
  for (const node of nodes.splice(0)) await node.close();
});

type LogRecord = { level: number; msg: string } & Record<string, unknown>;

/** A node's log, as pino's records. */
function recordingLogger() {
  const records: LogRecord[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return {
    logger,
    records,
    /** The fan-out's warnings (presence has its own, with code cluster_presence_down). */
    warnings: () => records.filter((r) => r.level === 40 && r.code !== 'cluster_presence_down'),
    infos: (msg: string) => records.filter((r) => r.level === 30 && r.msg === msg),
  };
}

async function startNode(
  nodeId: string,
  redisUrl: string,
  extra: { store?: EventStore | 'postgres'; databaseUrl?: string; logger?: pino.Logger } = {},
) {
  const { store = createMemoryEventStore(), ...rest } = extra;
  const node = await startRelay({
    store,
    ...rest,
    cluster: { redisUrl, nodeId, headCheckMs: 100 },
  });
  nodes.push(node);
  return node;
}

/** The reasons of the presence adapter's warnings. */
const presenceWarnings = (log: ReturnType<typeof recordingLogger>) =>
  log.records
    .filter((r) => r.level === 40 && r.code === 'cluster_presence_down')
    .map((r) => r.reason);

const fanoutState = async (node: TestRelay) =>
  (await http(node.url, '/health')).body.cluster.fanout.state as string;
const metrics = async (node: TestRelay) => (await http(node.url, '/metrics')).body as string;

describe('a hung Redis (SIGSTOP)', () => {
  it('turns the fan-out down with one warning, orders still arrive, and it is up again once Redis answers', async () => {
    const store = createMemoryEventStore();
    const a = await startNode('node-a', redis.url, { store });
    const log = recordingLogger();
    const b = await startNode('node-b', redis.url, { store, logger: log.logger });
    const kitchenB = await connected(b.url, { token: await tokenFor('kitchen') });
    const posA = await connected(a.url, { token: await tokenFor('pos') });
    await expect
      .poll(async () => (await http(b.url, '/health')).body.cluster.nodes_seen)
      .toEqual(['node-a', 'node-b']);
    expect(await fanoutState(b)).toBe('up');
    expect(await metrics(b)).toMatch(/kitchen_sync_cluster_fanout_state\{state="up"\} 1/);

    redis.pause();
    // No command fails while Redis is stopped: only the reader's deadline can tell.
    await expect.poll(() => fanoutState(b), { timeout: 8_000 }).toBe('down');
    expect(await metrics(b)).toMatch(/kitchen_sync_cluster_fanout_state\{state="down"\} 1/);
    expect(await metrics(b)).toMatch(/kitchen_sync_cluster_fanout_state\{state="up"\} 0/);
    expect(log.warnings().map((w) => w.reason)).toEqual(['no_answer']);
    const published = await posA.request<PublishAck>('order:publish', order());
    expect(published).toMatchObject({ ok: true, seq: 1 });
    await kitchenB.waitFor(() => kitchenB.events().length === 1);

    redis.resume();
    await expect.poll(() => fanoutState(b), { timeout: 8_000 }).toBe('up');
    expect(log.warnings()).toHaveLength(1);
    expect(log.infos('cluster: Redis answers again; fan-out up')).toHaveLength(1);
    await expect
      .poll(async () => (await http(b.url, '/health')).body.cluster.nodes_seen)
      .toEqual(['node-a', 'node-b']);
  });
});

describe('presence while Redis hangs (SIGSTOP)', () => {
  const kitchenConnected = (watcher: TestClient, kitchen: string) =>
    watcher.waitFor(() =>
      watcher.presence().some((e) => (e.data as { kitchen_id?: string }).kitchen_id === kitchen),
    );
  const presenceState = async (node: TestRelay) =>
    (await http(node.url, '/health')).body.cluster.presence;

  it("still reaches the node's own clients within the bound, shows down once with why, and crosses nodes again once Redis answers", async () => {
    const store = createMemoryEventStore();
    const a = await startNode('node-a', redis.url, { store });
    const log = recordingLogger();
    const b = await startNode('node-b', redis.url, { store, logger: log.logger });
    const watcherA = await connected(a.url, { token: await tokenFor('pos') });
    const watcherB = await connected(b.url, { token: await tokenFor('pos') });
    expect(await presenceState(b)).toEqual({ state: 'up' });
    await connected(b.url, { token: await tokenFor('kitchen', { sub: 'k-before' }) });
    await kitchenConnected(watcherA, 'k-before');

    redis.pause();
    // The adapter publishes to Redis before it delivers here: unbounded, this never arrives.
    await connected(b.url, { token: await tokenFor('kitchen', { sub: 'k-hung' }) });
    await kitchenConnected(watcherB, 'k-hung');
    await expect
      .poll(() => presenceState(b), { timeout: 5_000 })
      .toEqual({ state: 'down', reason: 'no_answer' });
    expect(await metrics(b)).toMatch(/kitchen_sync_cluster_presence_state\{state="down"\} 1/);
    // Down: no more waiting on Redis for each change.
    const started = Date.now();
    await connected(b.url, { token: await tokenFor('kitchen', { sub: 'k-down' }) });
    await kitchenConnected(watcherB, 'k-down');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(presenceWarnings(log)).toEqual(['no_answer']);

    redis.resume();
    await expect.poll(() => presenceState(b), { timeout: 5_000 }).toEqual({ state: 'up' });
    expect(presenceWarnings(log)).toEqual(['no_answer']);
    expect(log.infos('cluster: Redis answers again; presence up')).toHaveLength(1);
    await connected(b.url, { token: await tokenFor('kitchen', { sub: 'k-after' }) });
    await kitchenConnected(watcherA, 'k-after');
  });
});

describe('a Redis the node cannot use from the start', () => {
  it('is warned about once, with why, through many retries; the started line says down', async () => {
    const gone = await startRedis();
    await gone.stop();
    try {
      const log = recordingLogger();
      // start() waits 2 s for Redis: the clients retry several times meanwhile.
      const node = await startNode('node-a', gone.url, { logger: log.logger });
      const started = log.records.find((r) => r.msg === 'cluster node started');
      expect(started).toMatchObject({ fanout: 'redis', fanout_state: 'down' });
      expect(log.warnings().map((w) => w.reason)).toEqual(['refused']);
      expect(await fanoutState(node)).toBe('down');
      expect(await metrics(node)).toMatch(/kitchen_sync_cluster_fanout_state\{state="down"\} 1/);

      await gone.start();
      await expect.poll(() => fanoutState(node), { timeout: 8_000 }).toBe('up');
      expect(log.warnings()).toHaveLength(1);
      expect(log.infos('cluster: Redis answers again; fan-out up')).toHaveLength(1);
      await expect
        .poll(async () => (await http(node.url, '/health')).body.cluster.presence, {
          timeout: 8_000,
        })
        .toEqual({ state: 'up' });
      expect(presenceWarnings(log)).toEqual(['refused']);
    } finally {
      await gone.close();
    }
  });

  it.each([
    ['a database number Redis does not have', '/99', 'bad_db'],
    ['a password Redis does not take', ':wrong@', 'auth'],
  ])('says so for %s', async (_name, change, reason) => {
    const url =
      change === '/99' ? `${redis.url}/99` : redis.url.replace('redis://', `redis://${change}`);
    const log = recordingLogger();
    const node = await startNode('node-a', url, { logger: log.logger });
    expect(log.warnings().map((w) => w.reason)).toEqual([reason]);
    // A reply between two failed handshakes is no recovery: one warning, no flapping.
    expect(presenceWarnings(log)).toEqual([reason]);
    expect(log.records.find((r) => r.msg === 'cluster node started')).toMatchObject({
      fanout_state: 'down',
    });
    expect(await fanoutState(node)).toBe('down');
  });

  it('a working Redis logs no fan-out change at all', async () => {
    const log = recordingLogger();
    await startNode('node-a', redis.url, { logger: log.logger });
    expect(log.records.find((r) => r.msg === 'cluster node started')).toMatchObject({
      fanout_state: 'up',
    });
    expect(log.warnings()).toEqual([]);
    expect(presenceWarnings(log)).toEqual([]);
    expect(log.infos('cluster: Redis answers again; fan-out up')).toEqual([]);
  });
});

describe('PostgreSQL going away, in /metrics', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 30_000);
  afterAll(async () => {
    await pg.stop();
  });

  it('counts the publishes answered internal and shows the store unreachable', async () => {
    const databaseUrl = await pg.createDatabase();
    const node = await startNode('node-a', redis.url, { store: 'postgres', databaseUrl });
    const pos = await connected(node.url, { token: await tokenFor('pos') });
    expect(await pos.request<PublishAck>('order:publish', order())).toMatchObject({ ok: true });
    expect(await metrics(node)).toMatch(/kitchen_sync_command_failures_total\{code="internal"\} 0/);
    expect(await metrics(node)).toMatch(/kitchen_sync_cluster_store_reachable 1/);
    await pg.halt();
    try {
      for (let i = 0; i < 2; i += 1) {
        const failed = await pos.request<PublishAck>('order:publish', order(), 10_000);
        expect(failed).toMatchObject({ ok: false, error: { code: 'internal' } });
      }
      const during = await metrics(node);
      expect(during).toMatch(/kitchen_sync_command_failures_total\{code="internal"\} 2/);
      expect(during).toMatch(/kitchen_sync_command_failures_total\{code="storage_full"\} 0/);
      await expect
        .poll(() => metrics(node), { timeout: 10_000 })
        .toMatch(/kitchen_sync_cluster_store_reachable 0/);
    } finally {
      await pg.start();
    }
    expect(await pos.request<PublishAck>('order:publish', order())).toMatchObject({ ok: true });
    await expect
      .poll(() => metrics(node), { timeout: 10_000 })
      .toMatch(/kitchen_sync_cluster_store_reachable 1/);
    expect(await metrics(node)).toMatch(/kitchen_sync_command_failures_total\{code="internal"\} 2/);
  });
});
