import { randomUUID } from 'node:crypto';
import { KitchenSyncError, type OrderState } from '@kitchen-sync/protocol';
import type pg from 'pg';
import type { BridgeLog } from '../../bridge/bridgeLog.js';
import {
  type EventStore,
  MAX_PRUNED_EVENT_IDS_PER_ORDER,
  MAX_PRUNED_ORDER_IDS,
  PRUNED_ORDER_IDS_KEPT_MS,
  type PrunedEvent,
  type PrunedOrder,
  type RetentionPolicy,
  type StoredEvent,
  type StoredOrder,
  type TenantScope,
} from '../EventStore.js';
import type { LogReader, LogSnapshot } from '../LogReader.js';
import type { BatchOverlay, MissingKeys, OutletHead } from './batchOverlay.js';
import { connectionLimits, KEEPALIVE_INITIAL_DELAY_MS } from './connectionLimits.js';
import { postgresBridgeLog } from './postgresBridgeLog.js';
import { migrate } from './schema.js';

export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq's URL form, `?sslmode=` too). */
  url: string;
  /** Connections this node opens for reads (catch-up, long polls, /health). Default 10. */
  poolSize?: number;
  /**
   * A connection attempt (and a statement) gives up after this long. Default 5,000 ms.
   * PostgreSQL's own limits on each connection are shorter (connectionLimits.ts).
   */
  timeoutMs?: number;
  /** Told about errors of idle connections (PostgreSQL restarted, network dropped). */
  onConnectionError?: (error: Error) => void;
}

/**
 * The relay's log in PostgreSQL, shared by every node of a cluster. Its synchronous
 * EventStore methods answer only inside a write of `createPostgresWriteQueue` (they read the
 * batch's overlay); clients read through `reader`.
 */
export interface PostgresEventStore extends EventStore {
  readonly kind: 'postgres';
  readonly reader: LogReader;
  /** What the bridge to central reads and keeps (its cursors shared by the cluster). */
  readonly bridgeLog: BridgeLog;
  /** Connects, migrates the schema and reads the cluster's epoch. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** @internal The write queue's access to its connections and the batch overlay. */
  readonly internals: PostgresStoreInternals;
}

export interface PostgresStoreInternals {
  /** The database's URL: for a connection of its own (the bridge lock's session). */
  readonly url: string;
  /** Connections for writes only (one batch at a time per node). */
  readonly pool: pg.Pool;
  /** Makes `overlay` what the synchronous methods read and write while `fn` runs. */
  withOverlay<T>(overlay: BatchOverlay, fn: () => T): T;
  load(client: pg.ClientBase, overlay: BatchOverlay, missing: MissingKeys): Promise<void>;
  write(client: pg.ClientBase, overlay: BatchOverlay): Promise<void>;
  /** After COMMIT: the heads this node now knows. */
  committed(overlay: BatchOverlay): void;
}

const FINAL = `('completed', 'cancelled')`;

interface EventRow {
  outlet: string;
  tenant: string;
  ts_ms: number;
  body: string;
}

interface OrderRow {
  order_id: string;
  outlet: string;
  tenant: string;
  created_seq: number;
  status_seq: number;
  updated_ms: number;
  body: string;
}

/** An order row, or (`pruned`) what retention left of one: `updated_ms` is when it finished. */
type LoadedOrderRow = OrderRow & { pruned: boolean; status: PrunedOrder['status'] };

const toPrunedOrder = (row: LoadedOrderRow): PrunedOrder => ({
  orderId: row.order_id,
  outlet: row.outlet,
  tenant: row.tenant,
  status: row.status,
  createdSeq: row.created_seq,
  statusSeq: row.status_seq,
  finishedMs: row.updated_ms,
});

/** An event row, or (`pruned`) what retention left of one. */
type LoadedEventRow = EventRow & {
  pruned: boolean;
  order_id: string;
  type: PrunedEvent['type'];
  seq: number;
  version: number;
};

const toPrunedEvent = (eventId: string, row: LoadedEventRow): PrunedEvent => ({
  eventId,
  orderId: row.order_id,
  type: row.type,
  seq: row.seq,
  version: row.version,
});

const toEvent = (row: EventRow): StoredEvent => ({
  outlet: row.outlet,
  tenant: row.tenant,
  tsMs: row.ts_ms,
  envelope: JSON.parse(row.body),
});

const toOrder = (row: OrderRow): StoredOrder => ({
  orderId: row.order_id,
  outlet: row.outlet,
  tenant: row.tenant,
  state: JSON.parse(row.body),
  createdSeq: row.created_seq,
  statusSeq: row.status_seq,
  updatedMs: row.updated_ms,
});

// Seqs and epoch milliseconds are bigint columns; both stay far below 2^53.
const int8AsNumber = (types: typeof pg.types): pg.CustomTypesConfig => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? Number
      : types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
});

const outsideWrite = (what: string) =>
  new KitchenSyncError(
    'internal',
    `the PostgreSQL store answers ${what} only inside a write; read through its LogReader`,
  );

/** Where `url` points, without the password, for messages. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'the database URL';
  }
}

export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  const timeoutMs = options.timeoutMs ?? 5_000;
  // `pg` is loaded by open(): a relay on SQLite never pays for it.
  let pool!: pg.Pool;
  // Writes have their own two connections: a storm of catch-ups (kitchens reconnecting after
  // a node restart) must not make a publish wait for a free connection.
  let writePool!: pg.Pool;

  let epoch: string | undefined;
  let active: BatchOverlay | null = null;
  // Heads this node committed or locked last: what `head()` answers outside a write (the
  // relay's retention check). Other nodes move them too; readers ask the database.
  const knownHeads = new Map<string, OutletHead>();

  const overlay = (what: string): BatchOverlay => {
    if (!active) throw outsideWrite(what);
    return active;
  };

  async function inReadTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  // Every node holds the epoch; one that finds the log went back gives it a new one in `meta`
  // (restartEpoch). The others read it with each head (a catch-up's first read, the cluster's
  // poll of the heads): no client is planned under an epoch the log has left.
  const epochListeners = new Set<(epoch: string) => void>();
  const noteEpoch = (current: string | undefined) => {
    if (current === undefined || current === epoch) return;
    epoch = current;
    for (const listener of epochListeners) listener(current);
  };
  const EPOCH = `(SELECT value FROM meta WHERE key = 'epoch')`;

  async function outletRow(outlet: string): Promise<OutletHead> {
    const { rows } = await pool.query<{
      epoch: string;
      head: number | null;
      pruned_through: number | null;
    }>(
      `SELECT ${EPOCH} AS epoch, h.head, h.pruned_through
       FROM (SELECT 1) AS one LEFT JOIN outlet_heads h ON h.outlet = $1`,
      [outlet],
    );
    const row = rows[0];
    noteEpoch(row?.epoch);
    return row && row.head !== null
      ? { head: row.head, prunedThrough: row.pruned_through ?? 0 }
      : { head: 0, prunedThrough: 0 };
  }

  async function openOrders(
    client: pg.ClientBase,
    outlet: string,
    tenants: TenantScope,
  ): Promise<OrderState[]> {
    const { rows } = tenants
      ? await client.query<{ body: string }>(
          `SELECT body FROM orders WHERE outlet = $1 AND status NOT IN ${FINAL}
           AND tenant = ANY($2) ORDER BY created_seq`,
          [outlet, tenants],
        )
      : await client.query<{ body: string }>(
          `SELECT body FROM orders WHERE outlet = $1 AND status NOT IN ${FINAL} ORDER BY created_seq`,
          [outlet],
        );
    return rows.map((r) => JSON.parse(r.body) as OrderState);
  }

  /**
   * Above this seq the outlet's events stay, whatever the policy: those after the bridge's
   * upload cursor, which central has not confirmed (any node prunes, the holder or not).
   */
  async function unsentFrom(client: pg.ClientBase, outlet: string, policy: RetentionPolicy) {
    const kept = policy.keepAfterCursor;
    if (kept?.outlet !== outlet) return Number.POSITIVE_INFINITY;
    const { rows } = await client.query<{ value: number }>(
      'SELECT value FROM cursors WHERE name = $1',
      [kept.cursor],
    );
    return rows[0]?.value ?? 0;
  }

  /**
   * One outlet's retention in its own short transaction, holding its head row. Age is by the
   * database's clock (`logged_at` against now()), never a node's: a node whose clock is a day
   * ahead would prune everything, and events stamped by one a day behind would look old. The
   * age cut stops below the oldest event still young, so no young event goes, whatever the
   * order of the stamps; finished orders go with the events up to the cut.
   */
  async function pruneOutlet(outlet: string, policy: RetentionPolicy) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ head: number; pruned_through: number }>(
        'SELECT head, pruned_through FROM outlet_heads WHERE outlet = $1 FOR UPDATE',
        [outlet],
      );
      const row = rows[0];
      let removed = 0;
      if (row) {
        const young = await client.query<{ seq: number }>(
          `SELECT seq FROM events WHERE outlet = $1
           AND logged_at >= now() - $2::double precision * interval '1 millisecond'
           ORDER BY seq LIMIT 1`,
          [outlet, policy.maxAgeMs],
        );
        const agedThrough = young.rows[0] ? young.rows[0].seq - 1 : row.head;
        const cut = Math.min(
          Math.max(row.head - policy.maxEvents, agedThrough),
          await unsentFrom(client, outlet, policy),
        );
        if (cut > row.pruned_through) {
          // Before the events go: those of orders that stay (not finished up to the cut) keep
          // their ids (see PrunedEvent).
          await client.query(
            `INSERT INTO pruned_events (event_id, order_id, outlet, type, seq, version)
             SELECT e.event_id, o.order_id, e.outlet, e.body ->> 'type', e.seq,
               coalesce((e.body -> 'data' ->> 'version')::bigint, 0)
             FROM (SELECT event_id, outlet, seq, ks_json_object(body) AS body FROM events
               WHERE outlet = $1 AND seq <= $2) AS e
             JOIN orders o ON o.order_id = e.body ->> 'order_id'
             WHERE NOT (o.status IN ${FINAL} AND o.status_seq <= $2)
               AND e.body ->> 'type' IS NOT NULL
             ON CONFLICT (event_id) DO NOTHING`,
            [outlet, cut],
          );
          removed =
            (
              await client.query('DELETE FROM events WHERE outlet = $1 AND seq <= $2', [
                outlet,
                cut,
              ])
            ).rowCount ?? 0;
          await client.query('UPDATE outlet_heads SET pruned_through = $2 WHERE outlet = $1', [
            outlet,
            cut,
          ]);
          await client.query(
            `DELETE FROM acks WHERE order_id IN (SELECT order_id FROM orders
             WHERE outlet = $1 AND status IN ${FINAL} AND status_seq <= $2)`,
            [outlet, cut],
          );
          await client.query(
            `DELETE FROM pruned_events WHERE order_id IN (SELECT order_id FROM orders
             WHERE outlet = $1 AND status IN ${FINAL} AND status_seq <= $2)`,
            [outlet, cut],
          );
          // The orders go, their ids stay known (see PrunedOrder), newest `max` of the outlet.
          await client.query(
            `WITH gone AS (DELETE FROM orders
               WHERE outlet = $1 AND status IN ${FINAL} AND status_seq <= $2
               RETURNING order_id, outlet, tenant, status, created_seq, status_seq, updated_ms)
             INSERT INTO pruned_orders
               (order_id, outlet, tenant, status, created_seq, status_seq, finished_ms)
             SELECT * FROM gone ON CONFLICT (order_id) DO NOTHING`,
            [outlet, cut],
          );
          await client.query(
            `DELETE FROM pruned_orders WHERE outlet = $1 AND status_seq <= (
               SELECT status_seq FROM pruned_orders WHERE outlet = $1
               ORDER BY status_seq DESC LIMIT 1 OFFSET $2)`,
            [outlet, policy.maxPrunedIds ?? MAX_PRUNED_ORDER_IDS],
          );
          // Each order's newest `max` pruned event ids, for the orders this prune added to (the
          // whole outlet's table would grow with every order left open).
          await client.query(
            `DELETE FROM pruned_events WHERE event_id IN (
               SELECT event_id FROM (
                 SELECT event_id,
                   row_number() OVER (PARTITION BY order_id ORDER BY seq DESC) AS n
                 FROM pruned_events WHERE order_id IN (
                   SELECT order_id FROM pruned_events
                   WHERE outlet = $1 AND seq > $3 AND seq <= $4)) AS ranked
               WHERE n > $2)`,
            [
              outlet,
              policy.maxPrunedEventIds ?? MAX_PRUNED_EVENT_IDS_PER_ORDER,
              row.pruned_through,
              cut,
            ],
          );
          knownHeads.set(outlet, { head: row.head, prunedThrough: cut });
        }
      }
      await client.query('COMMIT');
      client.release();
      return removed;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  const reader: LogReader = {
    get epoch() {
      if (epoch === undefined) throw outsideWrite('epoch before open()');
      return epoch;
    },
    head: async (outlet) => (await outletRow(outlet)).head,
    async restartEpoch(seen) {
      const next = randomUUID();
      // Compare-and-set: nodes finding it at once make one new epoch, not one each.
      const { rowCount } = await pool.query(
        `UPDATE meta SET value = $1 WHERE key = 'epoch' AND value = $2`,
        [next, seen],
      );
      if (rowCount === 1) {
        noteEpoch(next);
        return { epoch: next, made: true };
      }
      const { rows } = await pool.query<{ epoch: string }>(`SELECT ${EPOCH} AS epoch`);
      noteEpoch(rows[0]?.epoch);
      return { epoch: reader.epoch, made: false };
    },
    onEpochChange(listener) {
      epochListeners.add(listener);
    },
    async heads(outlets) {
      const { rows } = await pool.query<{ epoch: string; outlet: string | null; head: number }>(
        `SELECT ${EPOCH} AS epoch, h.outlet, h.head
         FROM (SELECT 1) AS one LEFT JOIN outlet_heads h ON h.outlet = ANY($1)`,
        [outlets],
      );
      noteEpoch(rows[0]?.epoch);
      const heads = new Map(outlets.map((o) => [o, 0]));
      for (const row of rows) if (row.outlet !== null) heads.set(row.outlet, Number(row.head));
      return heads;
    },
    prunedThrough: async (outlet) => (await outletRow(outlet)).prunedThrough,
    async eventIdAt(outlet, seq) {
      const { rows } = await pool.query<{ event_id: string }>(
        'SELECT event_id FROM events WHERE outlet = $1 AND seq = $2',
        [outlet, seq],
      );
      return rows[0]?.event_id;
    },
    async eventsAfter(outlet, since, limit, tenants) {
      const { rows } = tenants
        ? await pool.query<EventRow>(
            `SELECT outlet, tenant, ts_ms, body FROM events WHERE outlet = $1 AND seq > $2
             AND tenant = ANY($4) ORDER BY seq LIMIT $3`,
            [outlet, since, limit, tenants],
          )
        : await pool.query<EventRow>(
            'SELECT outlet, tenant, ts_ms, body FROM events WHERE outlet = $1 AND seq > $2 ORDER BY seq LIMIT $3',
            [outlet, since, limit],
          );
      return rows.map(toEvent);
    },
    snapshot: (outlet, tenants) =>
      inReadTransaction(async (client): Promise<LogSnapshot> => {
        const { rows } = await client.query<{ head: number }>(
          'SELECT head FROM outlet_heads WHERE outlet = $1',
          [outlet],
        );
        return { head: rows[0]?.head ?? 0, orders: await openOrders(client, outlet, tenants) };
      }),
    async outlets() {
      const { rows } = await pool.query<{ outlet: string }>(
        'SELECT outlet FROM outlet_heads WHERE head > 0 ORDER BY outlet',
      );
      return rows.map((r) => r.outlet);
    },
    async maxHead() {
      const { rows } = await pool.query<{ head: number | null }>(
        'SELECT max(head) AS head FROM outlet_heads',
      );
      return rows[0]?.head ?? 0;
    },
    async countEvents() {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*) AS n FROM events');
      return rows[0]?.n ?? 0;
    },
    // The node's clock (the second argument) is not used: age is by the database's.
    async prune(policy) {
      await pool.query(
        `DELETE FROM pruned_orders
         WHERE pruned_at < now() - $1::double precision * interval '1 millisecond'`,
        [policy.prunedIdsKeptMs ?? PRUNED_ORDER_IDS_KEPT_MS],
      );
      let removed = 0;
      for (const outlet of await reader.outlets()) removed += await pruneOutlet(outlet, policy);
      return removed;
    },
    async getCursor(name) {
      const { rows } = await pool.query<{ value: number }>(
        'SELECT value FROM cursors WHERE name = $1',
        [name],
      );
      return rows[0]?.value;
    },
    async setCursor(name, value) {
      await pool.query(
        'INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        [name, value],
      );
    },
    // The epoch's row: no command locks it, so another node holding an outlet's row cannot
    // make this fail; a read-only or full database does.
    async probeWrite() {
      await pool.query(`UPDATE meta SET value = value WHERE key = 'epoch'`);
    },
  };

  const internals: PostgresStoreInternals = {
    url: options.url,
    get pool() {
      return writePool;
    },
    withOverlay(next, fn) {
      active = next;
      try {
        return fn();
      } finally {
        active = null;
      }
    },
    async load(client, into, missing) {
      switch (missing.kind) {
        case 'order': {
          // FOR UPDATE: two nodes changing one order take turns, none overwrites the other.
          // What retention left of it comes in the same round trip (a publish asks for both).
          const { rows } = await client.query<LoadedOrderRow>(
            `WITH live AS (SELECT * FROM orders WHERE order_id = $1 FOR UPDATE)
             SELECT false AS pruned, order_id, outlet, tenant, status, created_seq, status_seq,
               updated_ms, body FROM live
             UNION ALL
             SELECT true, order_id, outlet, tenant, status, created_seq, status_seq,
               finished_ms, NULL FROM pruned_orders WHERE order_id = $1`,
            [missing.key],
          );
          const live = rows.find((row) => !row.pruned);
          const pruned = rows.find((row) => row.pruned);
          into.loadedOrder(missing.key, live && toOrder(live));
          into.loadedPrunedOrder(missing.key, pruned && toPrunedOrder(pruned));
          return;
        }
        case 'event': {
          // What retention left of it comes in the same round trip (a retry asks for both).
          const { rows } = await client.query<LoadedEventRow>(
            `SELECT false AS pruned, outlet, tenant, ts_ms, body, NULL AS order_id, NULL AS type,
               NULL AS seq, NULL AS version FROM events WHERE event_id = $1
             UNION ALL
             SELECT true, outlet, NULL, NULL, NULL, order_id, type, seq, version
             FROM pruned_events WHERE event_id = $1`,
            [missing.key],
          );
          const live = rows.find((row) => !row.pruned);
          const pruned = rows.find((row) => row.pruned);
          into.loadedEvent(missing.key, live && toEvent(live));
          into.loadedPrunedEvent(missing.key, pruned && toPrunedEvent(missing.key, pruned));
          return;
        }
        case 'ack': {
          const { rows } = await client.query<{ seq: number }>(
            'SELECT seq FROM acks WHERE order_id = $1 AND kitchen_id = $2',
            [missing.key, missing.kitchenId],
          );
          into.loadedAck(missing.key, missing.kitchenId, rows[0]?.seq);
          return;
        }
        case 'outlet': {
          // Creates the row the first time and locks it either way, in one round trip: every
          // writer of this outlet waits here until this transaction ends.
          const { rows } = await client.query<{ head: number; pruned_through: number }>(
            `INSERT INTO outlet_heads (outlet, head) VALUES ($1, 0)
             ON CONFLICT (outlet) DO UPDATE SET head = outlet_heads.head
             RETURNING head, pruned_through`,
            [missing.key],
          );
          const row = rows[0]!;
          into.loadedOutlet(missing.key, { head: row.head, prunedThrough: row.pruned_through });
          return;
        }
      }
    },
    async write(client, from) {
      if (from.newEvents.length > 0) {
        const e = from.newEvents;
        await client.query(
          `INSERT INTO events (outlet, seq, event_id, tenant, ts_ms, body)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])`,
          [
            e.map((x) => x.outlet),
            e.map((x) => x.envelope.seq),
            e.map((x) => x.envelope.event_id),
            e.map((x) => x.tenant),
            e.map((x) => x.tsMs),
            e.map((x) => JSON.stringify(x.envelope)),
          ],
        );
      }
      const dirty = [...from.dirtyOrders].map((id) => from.orders.get(id)!);
      // A new order is a plain INSERT: when another node logged the same order_id meanwhile,
      // the unique key refuses it and the batch runs again, finding that order (a duplicate).
      // Upserting instead would log the order twice. Orders that existed are row-locked.
      const inserted = dirty.filter((o) => !from.storedOrders.has(o.orderId));
      const updated = dirty.filter((o) => from.storedOrders.has(o.orderId));
      const orderColumns = (o: StoredOrder[]) => [
        o.map((x) => x.orderId),
        o.map((x) => x.outlet),
        o.map((x) => x.tenant),
        o.map((x) => x.state.status),
        o.map((x) => x.createdSeq),
        o.map((x) => x.statusSeq),
        o.map((x) => x.updatedMs),
        o.map((x) => JSON.stringify(x.state)),
      ];
      const unnestOrders = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::text[])`;
      if (inserted.length > 0) {
        // A prune on another node that removed the order while this batch waited for its row
        // lock is not in the load's view (that statement's snapshot is older than the prune's
        // commit); this statement's is newer. Such an order runs again and is a duplicate.
        const { rowCount } = await client.query(
          `INSERT INTO orders (order_id, outlet, tenant, status, created_seq, status_seq, updated_ms, body)
           SELECT * FROM ${unnestOrders}
             AS v(order_id, outlet, tenant, status, created_seq, status_seq, updated_ms, body)
           WHERE NOT EXISTS (SELECT 1 FROM pruned_orders p WHERE p.order_id = v.order_id)`,
          orderColumns(inserted),
        );
        if (rowCount !== inserted.length) {
          throw Object.assign(new Error('an order was pruned while this batch ran'), {
            code: '40001',
          });
        }
      }
      if (updated.length > 0) {
        await client.query(
          `UPDATE orders o SET status = v.status, status_seq = v.status_seq,
             updated_ms = v.updated_ms, body = v.body
           FROM ${unnestOrders}
             AS v(order_id, outlet, tenant, status, created_seq, status_seq, updated_ms, body)
           WHERE o.order_id = v.order_id`,
          orderColumns(updated),
        );
      }
      if (from.newAcks.length > 0) {
        const a = from.newAcks;
        await client.query(
          `INSERT INTO acks (order_id, kitchen_id, seq)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`,
          [a.map((x) => x.orderId), a.map((x) => x.kitchenId), a.map((x) => x.seq)],
        );
      }
      const moved = [...from.outlets];
      if (moved.length > 0) {
        await client.query(
          `UPDATE outlet_heads h SET head = v.head
           FROM unnest($1::text[], $2::bigint[]) AS v(outlet, head)
           WHERE h.outlet = v.outlet AND h.head <> v.head`,
          [moved.map(([outlet]) => outlet), moved.map(([, row]) => row.head)],
        );
      }
    },
    committed(from) {
      for (const [outlet, row] of from.outlets) knownHeads.set(outlet, { ...row });
    },
  };

  const known = (outlet: string) => knownHeads.get(outlet) ?? { head: 0, prunedThrough: 0 };

  return {
    kind: 'postgres',
    get epoch() {
      return reader.epoch;
    },
    reader,
    bridgeLog: postgresBridgeLog(() => pool, reader),
    internals,
    async open() {
      const { default: driver } = await import('pg');
      const newPool = (max: number) => {
        const created = new driver.Pool({
          connectionString: options.url,
          max,
          connectionTimeoutMillis: timeoutMs,
          query_timeout: timeoutMs,
          // Sent with the connection: a frozen or cut-off node's transaction must end in the
          // server too, not hold its outlet's head row from every other node.
          ...connectionLimits(timeoutMs),
          keepAlive: true,
          keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
          types: int8AsNumber(driver.types),
        });
        // An idle connection that dies (PostgreSQL restarted) must not take the relay down:
        // the pool drops it and the next query opens a new one.
        created.on('error', (error) => options.onConnectionError?.(error));
        // So must one that dies while checked out, between two statements (the server ended
        // the transaction of this node after it froze): pg emits 'error' on the client then,
        // fatal without a listener. The statement in flight, or the next one, fails anyway.
        created.on('connect', (client) => client.on('error', () => undefined));
        return created;
      };
      pool = newPool(options.poolSize ?? 10);
      writePool = newPool(2);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new KitchenSyncError(
          'store_unreachable',
          `cannot reach PostgreSQL at ${where(options.url)}: ${(error as Error).message}`,
          { cause: (error as { code?: string }).code ?? null },
        );
      }
      try {
        await migrate(client);
        await client.query(
          `INSERT INTO meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING`,
          [randomUUID()],
        );
        const { rows } = await client.query<{ value: string }>(
          `SELECT value FROM meta WHERE key = 'epoch'`,
        );
        epoch = rows[0]!.value;
        client.release();
      } catch (error) {
        client.release(true);
        throw error;
      }
    },
    // The write queue runs each job inside its own batch transaction already.
    transaction: (fn) => {
      overlay('transaction');
      return fn();
    },
    append: (event) => overlay('append').append(event),
    putOrder: (order) => overlay('putOrder').putOrder(order),
    putAck: (orderId, kitchenId, seq) => overlay('putAck').putAck(orderId, kitchenId, seq),
    getOrder: (orderId) => overlay('getOrder').getOrder(orderId),
    getEvent: (eventId) => overlay('getEvent').getEvent(eventId),
    getAck: (orderId, kitchenId) => overlay('getAck').getAck(orderId, kitchenId),
    getPrunedOrder: (orderId) => overlay('getPrunedOrder').getPrunedOrder(orderId),
    getPrunedEvent: (eventId) => overlay('getPrunedEvent').getPrunedEvent(eventId),
    head: (outlet) => (active ? active.outlet(outlet).head : known(outlet).head),
    prunedThrough: (outlet) =>
      active ? active.outlet(outlet).prunedThrough : known(outlet).prunedThrough,
    eventsAfter() {
      throw outsideWrite('eventsAfter');
    },
    openOrders() {
      throw outsideWrite('openOrders');
    },
    outlets() {
      throw outsideWrite('outlets');
    },
    prune() {
      throw outsideWrite('prune');
    },
    countEvents() {
      throw outsideWrite('countEvents');
    },
    getCursor() {
      throw outsideWrite('getCursor');
    },
    setCursor() {
      throw outsideWrite('setCursor');
    },
    close: async () => {
      await Promise.all([pool?.end(), writePool?.end()]);
    },
  };
}
