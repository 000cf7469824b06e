import { startPostgres } from '../../../test-support/postgres.js';
import { startRedis } from '../../../test-support/redis.js';
import { type RelayProcess, startRelay } from './relayProcess.js';

export interface BenchCluster {
  /** The nodes as one relay for the load generator: clients spread over `urls`, CPU summed. */
  relay: RelayProcess;
  nodes: RelayProcess[];
  stop(): Promise<void>;
}

/**
 * Scenario H's cluster: a PostgreSQL 15 and a Redis of its own on loopback, and `count`
 * relay nodes on them (`--store postgres --cluster-redis-url`). PostgreSQL's and Redis' own
 * CPU is not in the relays' figures: the report says so.
 */
export async function startBenchCluster(options: {
  secret: string;
  count: number;
  extraArgs: string[];
  nodeArgs: string[];
}): Promise<BenchCluster> {
  const [pg, redis] = await Promise.all([
    startPostgres({ settings: { max_connections: '200' } }),
    startRedis(),
  ]);
  const nodes: RelayProcess[] = [];
  const stop = async () => {
    for (const node of nodes) await node.stop();
    await Promise.all([redis.close(), pg.stop()]);
  };
  try {
    const databaseUrl = await pg.createDatabase();
    for (let i = 0; i < options.count; i += 1) {
      nodes.push(
        await startRelay({
          kind: 'durable',
          secret: options.secret,
          storeArgs: ['--store', 'postgres', '--database-url', databaseUrl],
          extraArgs: [
            '--cluster-redis-url',
            redis.url,
            '--node-id',
            `bench-node-${i}`,
            ...options.extraArgs,
          ],
          nodeArgs: options.nodeArgs,
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const relay: RelayProcess = {
    kind: 'durable',
    url: nodes[0]!.url,
    urls: nodes.map((n) => n.url),
    pid: nodes[0]!.pid,
    rssBytes: () => Math.max(...nodes.map((n) => n.rssBytes())),
    cpuMs: () => nodes.reduce((sum, n) => sum + n.cpuMs(), 0),
    recentOutput: () => nodes.flatMap((n, i) => n.recentOutput().map((l) => `[node ${i}] ${l}`)),
    stop,
  };
  return { relay, nodes, stop };
}
