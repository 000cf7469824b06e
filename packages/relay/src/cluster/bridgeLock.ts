import type pg from 'pg';
import type { Logger } from 'pino';
import {
  connectionLimits,
  KEEPALIVE_INITIAL_DELAY_MS,
} from '../store/postgres/connectionLimits.js';

/** The advisory lock's first key, the same on every node: "ksbr" (kitchen-sync bridge). */
export const BRIDGE_LOCK_CLASS = 0x6b73_6272;

/** The lock's second key: the bridged outlet's, so two outlets' bridges never wait on each other. */
export function bridgeLockKey(outlet: string): number {
  // FNV-1a: every node computes the same number without asking the server.
  let hash = 0x811c_9dc5;
  for (const byte of Buffer.from(`bridge:${outlet}`, 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x0100_0193) >>> 0;
  }
  return hash & 0x7fff_ffff;
}

class QuietAfterLoss extends Error {}

/** Where the lock's session shows the node holding it (pg_stat_activity.application_name). */
const APPLICATION_PREFIX = 'kitchen-sync bridge ';

export type LockQuery = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

export interface BridgeLockOptions {
  url: string;
  outlet: string;
  /** This node's name, shown to the others while it holds the lock. */
  nodeId: string;
  /** How often a node without the lock tries to take it (and the holder checks its session). */
  retryMs: number;
  /** A connection attempt or statement gives up after this long. Default 5,000 ms. */
  timeoutMs?: number;
  logger: Logger;
  /** This node took the lock: it runs the bridge from now on. */
  onTaken(): void;
  /** This node lost the lock (its session ended): it must stop running the bridge at once. */
  onLost(): void;
  /** After each look (every `retryMs`), on the lock's session: the holder's or a standby's chores. */
  onLook?(look: { held: boolean; query: LockQuery }): Promise<void>;
}

export interface BridgeLock {
  start(): void;
  /** This node holds the lock. */
  readonly held: boolean;
  /** The node holding it as last seen (this node's id while it does); null when none. */
  readonly holder: string | null;
  /** Ends the lock's session: the lock goes, and another node takes it at its next try. */
  close(): Promise<void>;
}

/**
 * Exactly one node of a cluster runs the bridge to central: the one holding a PostgreSQL
 * session advisory lock on a connection of its own. The lock lives as long as that session:
 * a node that stops, crashes or loses its link to the database loses it with the session, and
 * another node takes it at its next try, a few seconds later, resuming from the shared cursors.
 */
export function createBridgeLock(options: BridgeLockOptions): BridgeLock {
  const { logger, nodeId } = options;
  const key = bridgeLockKey(options.outlet);
  const timeoutMs = options.timeoutMs ?? 5_000;
  let client: pg.Client | null = null;
  let held = false;
  let holder: string | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // A node that lost the lock leaves the next two tries to the others: its link to the database
  // is the likelier culprit, and a healthy node should take the bridge, not it again.
  let quietUntil = 0;

  async function connect(): Promise<pg.Client> {
    const { default: driver } = await import('pg');
    const created = new driver.Client({
      connectionString: options.url,
      application_name: `${APPLICATION_PREFIX}${nodeId}`.slice(0, 63),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      ...connectionLimits(timeoutMs),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    // The session ending is the lock going: whoever held it must stop at once.
    const ended = (error?: Error) => {
      if (client === created) lose(error);
    };
    created.on('error', ended);
    created.on('end', () => ended());
    await created.connect();
    // PostgreSQL ends the session (and frees the lock) once this host stops answering its
    // keepalive probes, ~5 s, not after the system's default of hours: a holder whose host
    // vanished must not keep the bridge from the others.
    try {
      await created.query(
        'SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3',
      );
    } catch (error) {
      await created.end().catch(() => undefined);
      throw error;
    }
    return created;
  }

  function lose(error?: unknown) {
    const gone = client;
    client = null;
    gone?.end().catch(() => undefined);
    if (!held) return;
    held = false;
    holder = null;
    quietUntil = performance.now() + 2 * options.retryMs;
    logger.warn(
      { err: error, outlet: options.outlet, node: nodeId },
      'this node lost the bridge lock (its PostgreSQL session ended): it stops uploading; another node takes the bridge over',
    );
    options.onLost();
  }

  async function holderOf(session: pg.Client): Promise<string | null> {
    const { rows } = await session.query<{ name: string | null }>(
      `SELECT a.application_name AS name FROM pg_locks l
       LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.classid::int8 = $1 AND l.objid::int8 = $2
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [BRIDGE_LOCK_CLASS, key],
    );
    const name = rows[0]?.name;
    if (!rows[0]) return null;
    return name?.startsWith(APPLICATION_PREFIX) ? name.slice(APPLICATION_PREFIX.length) : 'unknown';
  }

  async function look() {
    timer = undefined;
    if (closed) return;
    try {
      if (!held && performance.now() < quietUntil) throw new QuietAfterLoss();
      client ??= await connect();
      const session = client;
      if (!held) {
        const { rows } = await session.query<{ taken: boolean }>(
          'SELECT pg_try_advisory_lock($1, $2) AS taken',
          [BRIDGE_LOCK_CLASS, key],
        );
        if (closed) return;
        if (rows[0]?.taken) {
          held = true;
          holder = nodeId;
          logger.info(
            { outlet: options.outlet, node: nodeId },
            'this node runs the bridge to central',
          );
          options.onTaken();
        } else {
          holder = await holderOf(session);
        }
      }
      // The holder's check that its session (and so the lock) still lives.
      if (held) await session.query('SELECT 1');
      if (client === session) {
        await options.onLook?.({ held, query: (sql, params) => session.query(sql, params) });
      }
    } catch (error) {
      if (closed) return;
      if (error instanceof QuietAfterLoss) {
        timer = setTimeout(() => void look(), options.retryMs);
        timer.unref();
        return;
      }
      if (!held) logger.debug({ err: error }, 'could not try the bridge lock; trying again');
      lose(error);
    }
    if (!closed) {
      timer = setTimeout(() => void look(), options.retryMs);
      timer.unref();
    }
  }

  return {
    start() {
      if (timer === undefined && !closed) timer = setTimeout(() => void look(), 0);
    },
    get held() {
      return held;
    },
    get holder() {
      return holder;
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      const session = client;
      client = null;
      held = false;
      await session?.end().catch(() => undefined);
    },
  };
}
