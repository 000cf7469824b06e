import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KitchenSyncError, type OrderState } from '@kitchen-sync/protocol';
import {
  createPrivateFile,
  PRIVATE_DIR_MODE,
  tighteningReport,
  tightenModes,
} from '../lib/privateFiles.js';
import { type DataDirLock, lockDataDir } from './dataDirLock.js';
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
} from './EventStore.js';
import { checkDatabaseFile } from './integrityCheck.js';
import { movedLogFile } from './loggedFileId.js';
import { scrubFreeSpaceOnce } from './scrubFreeSpace.js';
import { loadSqliteDriver, type SqliteEnginePreference } from './sqlite/loadSqliteDriver.js';
import type { SqliteConnection, SqliteDriver, SqliteEngine } from './sqlite/SqliteDriver.js';
import { type UnreadableRow, unreadableRange } from './unreadableRows.js';
import { startWalCheckpointer } from './walCheckpointer.js';

export interface SqliteEventStoreOptions {
  /** Directory that holds `relay.db` (created if missing). Ignored when `filename` is set. */
  dataDir?: string;
  /** Full path of the database file; `:memory:` works for throwaway runs. */
  filename?: string;
  /**
   * Told when the relay starts a new log where one may have been (an empty `relay.db`), or a
   * new epoch for one that went back; `code` when the warning has one.
   */
  onWarning?: (message: string, code?: string) => void;
  /** Default `auto`: node:sqlite where the runtime has it, better-sqlite3 otherwise. */
  engine?: SqliteEnginePreference;
  /** Told of each stored row whose JSON does not parse (see unreadableRows.ts). */
  onUnreadableRow?: (row: UnreadableRow) => void;
}

/** The SQLite store says which library it runs on (`/health` shows it). */
export type SqliteEventStore = EventStore & { readonly engine: SqliteEngine };

/** A step that needs more than SQL; returns a warning for the log when it changed anything. */
type MigrationStep = (db: SqliteConnection) => string | undefined;

// Each entry moves the schema one version forward; `user_version` records how far we got.
const MIGRATIONS: ReadonlyArray<string | MigrationStep> = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE outlets (
     outlet_key TEXT PRIMARY KEY,
     head INTEGER NOT NULL,
     pruned_through INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE events (
     outlet_key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     event_id TEXT NOT NULL UNIQUE,
     tenant_key TEXT NOT NULL,
     ts_ms INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (outlet_key, seq)
   ) WITHOUT ROWID;
   CREATE TABLE orders (
     order_id TEXT PRIMARY KEY,
     outlet_key TEXT NOT NULL,
     tenant_key TEXT NOT NULL,
     status TEXT NOT NULL,
     created_seq INTEGER NOT NULL,
     status_seq INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX orders_by_outlet_status ON orders (outlet_key, status, created_seq);
   CREATE TABLE acks (
     order_id TEXT NOT NULL,
     kitchen_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (order_id, kitchen_id)
   ) WITHOUT ROWID;`,
  `CREATE TABLE cursors (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
  lowerCaseStoredIds,
  // Finished orders retention removed, by id (EventStore.ts: PrunedOrder). A data dir from
  // before has no record of what it pruned already: those ids stay unknown.
  `CREATE TABLE pruned_orders (
     order_id TEXT PRIMARY KEY,
     outlet_key TEXT NOT NULL,
     tenant_key TEXT NOT NULL,
     status TEXT NOT NULL,
     created_seq INTEGER NOT NULL,
     status_seq INTEGER NOT NULL,
     finished_ms INTEGER NOT NULL,
     pruned_ms INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX pruned_orders_by_outlet ON pruned_orders (outlet_key, status_seq);
   CREATE INDEX pruned_orders_by_age ON pruned_orders (pruned_ms);`,
  // Events retention removed while their order stays stored, by id (EventStore.ts:
  // PrunedEvent). A data dir from before has no record of the events it pruned already:
  // retries of those stay new commands.
  `CREATE TABLE pruned_events (
     event_id TEXT PRIMARY KEY,
     order_id TEXT NOT NULL,
     outlet_key TEXT NOT NULL,
     type TEXT NOT NULL,
     seq INTEGER NOT NULL,
     version INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX pruned_events_by_order ON pruned_events (order_id, seq);
   CREATE INDEX pruned_events_by_seq ON pruned_events (outlet_key, seq);`,
];

/**
 * Relays before ids were compared in lower case (see core/canonicalIds.ts) stored them as the
 * POS spelled them: after the upgrade an update or a retried publish in upper case named no
 * stored order, and the retry became a second ticket. An id whose lower-case twin is already
 * stored stays as it is (two orders by then, and neither may vanish). Kitchens hold the old
 * spelling, so a changed log starts a new epoch: every client re-syncs from a snapshot.
 */
function lowerCaseStoredIds(db: SqliteConnection): string | undefined {
  let changed = 0;
  for (const [table, column, json] of [
    ['orders', 'order_id', '$.order_id'],
    ['events', 'event_id', null],
  ] as const) {
    const upper = db
      .prepare(`SELECT ${column} AS id FROM ${table} WHERE ${column} <> lower(${column})`)
      .all() as Array<{ id: string }>;
    const twin = db.prepare(`SELECT 1 FROM ${table} WHERE ${column} = ?`);
    const rename = db.prepare(
      json
        ? `UPDATE ${table} SET ${column} = lower(${column}), body = json_set(body, '${json}', lower(${column})) WHERE ${column} = ?`
        : `UPDATE ${table} SET ${column} = lower(${column}) WHERE ${column} = ?`,
    );
    for (const { id } of upper) {
      if (twin.get(id.toLowerCase())) continue;
      rename.run(id);
      if (table === 'orders') {
        db.prepare('UPDATE acks SET order_id = lower(order_id) WHERE order_id = ?').run(id);
      }
      changed += 1;
    }
  }
  if (changed === 0) return undefined;
  db.prepare(`UPDATE meta SET value = ? WHERE key = 'epoch'`).run(randomUUID());
  return `lower-cased ${changed} order and event ids a previous relay stored in upper case; the log starts a new epoch and every client re-syncs from a snapshot`;
}

const FINAL = `('completed', 'cancelled')`;

interface EventRow {
  outlet_key: string;
  seq: number;
  tenant_key: string;
  ts_ms: number;
  body: string;
}

interface OrderRow {
  order_id: string;
  outlet_key: string;
  tenant_key: string;
  created_seq: number;
  status_seq: number;
  updated_ms: number;
  body: string;
}

interface PrunedOrderRow {
  order_id: string;
  outlet_key: string;
  tenant_key: string;
  status: PrunedOrder['status'];
  created_seq: number;
  status_seq: number;
  finished_ms: number;
}

interface PrunedEventRow {
  event_id: string;
  order_id: string;
  type: PrunedEvent['type'];
  seq: number;
  version: number;
}

function toPrunedEvent(row: PrunedEventRow): PrunedEvent {
  return {
    eventId: row.event_id,
    orderId: row.order_id,
    type: row.type,
    seq: row.seq,
    version: row.version,
  };
}

function toPrunedOrder(row: PrunedOrderRow): PrunedOrder {
  return {
    orderId: row.order_id,
    outlet: row.outlet_key,
    tenant: row.tenant_key,
    status: row.status,
    createdSeq: row.created_seq,
    statusSeq: row.status_seq,
    finishedMs: row.finished_ms,
  };
}

/** The row's JSON, or undefined when it no longer parses (damaged on disk). */
function parsed<T>(body: string): T | undefined {
  try {
    return JSON.parse(body) as T;
  } catch {
    return undefined;
  }
}

function migrate(db: SqliteConnection, onWarning?: (message: string) => void): void {
  const current = db.pragmaValue('user_version') as number;
  // An older relay started on a newer log would misread it (one answered every publish with
  // `internal`): refused, as the PostgreSQL store does.
  if (current > MIGRATIONS.length) {
    throw new KitchenSyncError(
      'store_schema_newer',
      `relay.db has schema version ${current}, newer than this relay knows (${MIGRATIONS.length}); upgrade the relay`,
      { version: current, known: MIGRATIONS.length },
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version]!;
    const warning = db.transaction(() => {
      let said: string | undefined;
      if (typeof step === 'string') db.exec(step);
      else said = step(db);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      return said;
    });
    if (warning) onWarning?.(warning);
  }
}

// WAL pages the relay's own connection lets pile up before it checkpoints after all: only
// reached if the checkpoint worker stalls or died (SQLite's default is 1,000).
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
const CHECKPOINT_INTERVAL_MS = 250;

/** Checkpoints leave the event loop for a worker; the relay checkpoints itself if it fails. */
function offloadCheckpoints(driver: SqliteDriver, db: SqliteConnection, filename: string) {
  db.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  return startWalCheckpointer(driver, filename, CHECKPOINT_INTERVAL_MS, () => {
    if (db.isOpen) db.exec('PRAGMA wal_autocheckpoint = 1000');
  });
}

function openDatabase(
  driver: SqliteDriver,
  filename: string,
  onWarning?: (message: string) => void,
): SqliteConnection {
  const db = driver.open(filename);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    // With WAL, NORMAL syncs at checkpoints, not at every commit: a committed transaction is in
    // the WAL file (the OS page cache) before we ack, so it survives the relay being killed
    // (SIGKILL, crash). Only an OS crash or power loss can drop the last commits; FULL would
    // fsync every tick and cost most of the throughput. docs/relay.md states this trade-off.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    // Retention deletes guests' names and phones from the tables; without this their bytes
    // stay in free space inside relay.db until the page is reused, readable in the raw file.
    // Deleted content is overwritten with zeros (a prune writes more pages; see docs/relay.md).
    db.exec('PRAGMA secure_delete = ON');
    const newLog = (db.pragmaValue('user_version') as number) === 0;
    migrate(db, onWarning);
    scrubFreeSpaceOnce(db, newLog, onWarning);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The log's files, as an older release (or a umask of 022) may have left them: readable by
 * every account on the outlet's PC. The data dir only when the relay chose the file's name
 * in it (a library user's own `filename` may sit in a folder shared with other things).
 */
function makeFilesPrivate(
  filename: string,
  dataDir: string | undefined,
  onWarning?: (message: string) => void,
): void {
  const files = ['', '-wal', '-shm', '.lock', '.lock-journal'].map((suffix) => ({
    path: `${filename}${suffix}`,
    label: `${filename}${suffix}`,
  }));
  const report = tighteningReport(
    "the relay's data",
    tightenModes(dataDir ? [{ path: dataDir, label: dataDir }, ...files] : files),
  );
  if (report) onWarning?.(report);
}

// How often the heads reached are written beside the log (see dataDirLock.ts): a restore is
// noticed unless the backup was taken within this long of the last commit before it.
const HIGH_WATER_EVERY_MS = 100;

/**
 * The default store: one SQLite file in WAL mode, every statement prepared once. The same
 * statements run on either engine, so a data dir written by one opens with the other.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions = {}): SqliteEventStore {
  const driver = loadSqliteDriver(options.engine);
  let filename = options.filename;
  let dataDir: string | undefined;
  if (!filename) {
    dataDir = options.dataDir ?? './data';
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    filename = join(dataDir, 'relay.db');
  }
  let lock: DataDirLock | undefined;
  if (filename !== ':memory:') {
    const lockFile = `${filename}.lock`;
    if (!existsSync(lockFile)) createPrivateFile(lockFile);
    lock = lockDataDir(driver, lockFile, dirname(filename));
    try {
      makeFilesPrivate(filename, dataDir, options.onWarning);
      const found = checkDatabaseFile(driver, filename);
      if (found.kind === 'fresh' && found.warning) options.onWarning?.(found.warning);
      // SQLite would create it 0644; its -wal and -shm then get the mode relay.db has.
      if (!existsSync(filename)) createPrivateFile(filename);
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  let db: SqliteConnection;
  try {
    db = openDatabase(driver, filename, options.onWarning);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const checkpointer =
    filename === ':memory:' ? undefined : offloadCheckpoints(driver, db, filename);

  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)`).run(randomUUID());
  let epoch = (db.prepare(`SELECT value FROM meta WHERE key = 'epoch'`).get() as { value: string })
    .value;
  const startEpoch = epoch;

  const stmt = {
    // The head is the log's last seq, or what retention removed when it emptied the log.
    // `outlets.head` is no longer advanced; files written before still hold it there.
    head: db.prepare(
      `SELECT MAX(head, pruned_through,
         IFNULL((SELECT MAX(seq) FROM events WHERE outlet_key = @outlet), 0)) AS head,
         pruned_through
       FROM outlets WHERE outlet_key = @outlet`,
    ),
    addOutlet: db.prepare('INSERT OR IGNORE INTO outlets (outlet_key, head) VALUES (?, 0)'),
    insertEvent: db.prepare(
      'INSERT INTO events (outlet_key, seq, event_id, tenant_key, ts_ms, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    putOrder: db.prepare(
      `INSERT INTO orders (order_id, outlet_key, tenant_key, status, created_seq, status_seq, updated_ms, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET status = excluded.status,
         status_seq = excluded.status_seq, updated_ms = excluded.updated_ms, body = excluded.body`,
    ),
    putAck: db.prepare('INSERT INTO acks (order_id, kitchen_id, seq) VALUES (?, ?, ?)'),
    getOrder: db.prepare('SELECT * FROM orders WHERE order_id = ?'),
    getEvent: db.prepare('SELECT * FROM events WHERE event_id = ?'),
    // The primary key: no body read, so a damaged one does not stand in the way.
    eventIdAt: db.prepare('SELECT event_id FROM events WHERE outlet_key = ? AND seq = ?'),
    getAck: db.prepare('SELECT seq FROM acks WHERE order_id = ? AND kitchen_id = ?'),
    eventsAfter: db.prepare(
      'SELECT * FROM events WHERE outlet_key = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    envelopeTextsAfter: db.prepare(
      'SELECT body FROM events WHERE outlet_key = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    eventsAfterScoped: db.prepare(
      `SELECT * FROM events WHERE outlet_key = ? AND seq > ?
       AND tenant_key IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
    ),
    openOrders: db.prepare(
      `SELECT order_id, body FROM orders WHERE outlet_key = ? AND status NOT IN ${FINAL} ORDER BY created_seq`,
    ),
    openOrdersScoped: db.prepare(
      `SELECT order_id, body FROM orders WHERE outlet_key = ? AND status NOT IN ${FINAL}
       AND tenant_key IN (SELECT value FROM json_each(?)) ORDER BY created_seq`,
    ),
    outlets: db.prepare('SELECT outlet_key FROM outlets ORDER BY outlet_key'),
    oldestTs: db.prepare('SELECT ts_ms FROM events WHERE outlet_key = ? ORDER BY seq LIMIT 1'),
    lastSeqBefore: db.prepare(
      'SELECT MAX(seq) AS seq FROM events WHERE outlet_key = ? AND ts_ms < ?',
    ),
    deleteEvents: db.prepare('DELETE FROM events WHERE outlet_key = ? AND seq <= ?'),
    setPruned: db.prepare('UPDATE outlets SET pruned_through = ? WHERE outlet_key = ?'),
    deleteAcks: db.prepare(
      `DELETE FROM acks WHERE order_id IN (SELECT order_id FROM orders
       WHERE outlet_key = ? AND status IN ${FINAL} AND status_seq <= ?)`,
    ),
    // Before the orders go: their ids stay known (see PrunedOrder).
    recordPruned: db.prepare(
      `INSERT OR IGNORE INTO pruned_orders
         (order_id, outlet_key, tenant_key, status, created_seq, status_seq, finished_ms, pruned_ms)
       SELECT order_id, outlet_key, tenant_key, status, created_seq, status_seq, updated_ms, ?
       FROM orders WHERE outlet_key = ? AND status IN ${FINAL} AND status_seq <= ?`,
    ),
    getPruned: db.prepare('SELECT * FROM pruned_orders WHERE order_id = ?'),
    forgetPrunedBefore: db.prepare('DELETE FROM pruned_orders WHERE pruned_ms < ?'),
    // All but the newest `max` of the outlet (nothing when it has no more than that).
    forgetPrunedBeyond: db.prepare(
      `DELETE FROM pruned_orders WHERE outlet_key = @outlet AND status_seq <= (
         SELECT status_seq FROM pruned_orders WHERE outlet_key = @outlet
         ORDER BY status_seq DESC LIMIT 1 OFFSET @max)`,
    ),
    // Before the events go: those of orders that stay (not finished up to the cut) keep their
    // ids. A body that does not parse is passed over (json_extract would fail the prune).
    recordPrunedEvents: db.prepare(
      `INSERT OR IGNORE INTO pruned_events (event_id, order_id, outlet_key, type, seq, version)
       SELECT e.event_id, o.order_id, e.outlet_key, json_extract(e.body, '$.type'), e.seq,
         IFNULL(json_extract(e.body, '$.data.version'), 0)
       FROM events e JOIN orders o
         ON o.order_id = CASE WHEN json_valid(e.body) THEN json_extract(e.body, '$.order_id') END
       WHERE e.outlet_key = @outlet AND e.seq <= @cut
         AND NOT (o.status IN ${FINAL} AND o.status_seq <= @cut)`,
    ),
    getPrunedEvent: db.prepare('SELECT * FROM pruned_events WHERE event_id = ?'),
    forgetPrunedEventsOfPruned: db.prepare(
      `DELETE FROM pruned_events WHERE order_id IN (SELECT order_id FROM orders
       WHERE outlet_key = ? AND status IN ${FINAL} AND status_seq <= ?)`,
    ),
    // All but each order's newest `max`, for the orders this prune added ids to: ranking the
    // outlet's whole table at every prune would grow with every order left open (a POS that
    // never marks orders completed) and hold the event loop longer each time.
    forgetPrunedEventsBeyond: db.prepare(
      `DELETE FROM pruned_events WHERE event_id IN (
         SELECT event_id FROM (
           SELECT event_id, row_number() OVER (PARTITION BY order_id ORDER BY seq DESC) AS n
           FROM pruned_events WHERE order_id IN (
             SELECT order_id FROM pruned_events
             WHERE outlet_key = @outlet AND seq > @from AND seq <= @cut))
         WHERE n > @max)`,
    ),
    deleteOrders: db.prepare(
      `DELETE FROM orders WHERE outlet_key = ? AND status IN ${FINAL} AND status_seq <= ?`,
    ),
    count: db.prepare('SELECT COUNT(*) AS n FROM events'),
    getCursor: db.prepare('SELECT value FROM cursors WHERE name = ?'),
    setCursor: db.prepare(
      'INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
  };

  // Head and pruned-through of each outlet, as this connection sees them. Every commit reads
  // them (retention check, catch-up plans), and two SELECTs per commit cost more than the
  // commit's own bookkeeping. Only this connection writes the file (one relay per data dir),
  // so the copy can only go stale by a rollback: then it is dropped and read again.
  // Outlets nobody wrote to are not kept: any outlet id can be asked about.
  const outletCache = new Map<string, { head: number; prunedThrough: number }>();
  const outletRow = (outlet: string) => {
    const cached = outletCache.get(outlet);
    if (cached) return cached;
    const stored = stmt.head.get({ outlet }) as
      | { head: number; pruned_through: number }
      | undefined;
    if (!stored) return { head: 0, prunedThrough: 0 };
    const row = { head: stored.head, prunedThrough: stored.pruned_through };
    outletCache.set(outlet, row);
    return row;
  };

  const runInTransaction = <T>(fn: () => T): T => {
    let result: T;
    try {
      result = db.transaction(fn);
    } catch (error) {
      outletCache.clear();
      throw error;
    }
    // Committed: a mark that cannot be written must not make a stored order look failed.
    try {
      recordHighWater();
    } catch {}
    return result;
  };

  const outletKeys = () =>
    (stmt.outlets.all() as Array<{ outlet_key: string }>).map((r) => r.outlet_key);

  // A relay.db that is behind the heads this data dir recorded was restored from a backup:
  // its seqs after the backup were handed out once already, to orders it no longer has, and
  // a kitchen whose cursor is past them would skip the new orders that get those seqs again.
  // A new epoch makes every client start again from a snapshot.
  if (lock) {
    const behind = [...lock.highWater(epoch)].find(
      ([outlet, reached]) => outletRow(outlet).head < reached,
    );
    if (behind) {
      const [outlet, reached] = behind;
      const restored = randomUUID();
      db.prepare(`UPDATE meta SET value = ? WHERE key = 'epoch'`).run(restored);
      options.onWarning?.(
        `relay.db is behind what this data dir had logged (outlet ${outlet}: seq ${outletRow(outlet).head}, was ${reached}); restored from a backup? The log starts a new epoch (${restored}): every client re-syncs from a snapshot, and orders acknowledged after the backup are not in it`,
        'log_went_back',
      );
      epoch = restored;
    }
  }
  // Recorded after commits, at most every HIGH_WATER_EVERY_MS, and at close. Monotonic: a wall
  // clock stepped back would stop the records for as long as the step.
  let highWaterAt = Number.NEGATIVE_INFINITY;
  const recordHighWater = (force = false) => {
    if (!lock || outletCache.size === 0) return;
    const nowMs = performance.now();
    if (!force && nowMs - highWaterAt < HIGH_WATER_EVERY_MS) return;
    highWaterAt = nowMs;
    lock.recordHighWater(
      epoch,
      [...outletCache].map(([outlet, row]) => [outlet, row.head] as const),
    );
  };

  // A row that does not parse is told and thrown as `store_corrupt`: a reader goes around it
  // (unreadableRows.ts) instead of failing the same way on every retry.
  const unreadable = (row: UnreadableRow) => {
    options.onUnreadableRow?.(row);
    return unreadableRange(row);
  };
  const toEvent = (row: EventRow): StoredEvent => {
    const envelope = parsed<StoredEvent['envelope']>(row.body);
    if (!envelope) throw unreadable({ table: 'events', outlet: row.outlet_key, key: row.seq });
    return { outlet: row.outlet_key, tenant: row.tenant_key, tsMs: row.ts_ms, envelope };
  };
  const toOrder = (row: OrderRow): StoredOrder => {
    const state = parsed<OrderState>(row.body);
    if (!state) throw unreadable({ table: 'orders', outlet: row.outlet_key, key: row.order_id });
    return {
      orderId: row.order_id,
      outlet: row.outlet_key,
      tenant: row.tenant_key,
      state,
      createdSeq: row.created_seq,
      statusSeq: row.status_seq,
      updatedMs: row.updated_ms,
    };
  };

  const setEpoch = (next: string) => {
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'epoch'`).run(next);
    epoch = next;
  };

  // Copied or moved (loggedFileId.ts): unless the mark above gave a new epoch already.
  const moved = filename === ':memory:' ? undefined : movedLogFile(db, filename);
  if (moved && epoch === startEpoch) {
    setEpoch(randomUUID());
    options.onWarning?.(`${moved} (new epoch ${epoch})`, 'log_went_back');
  }

  return {
    kind: 'sqlite',
    engine: driver.engine,
    get epoch() {
      return epoch;
    },
    restartEpoch(seen) {
      if (seen !== epoch) return { epoch, made: false };
      setEpoch(randomUUID());
      // The mark under the new epoch at once: the old one's says nothing about it.
      try {
        recordHighWater(true);
      } catch {}
      return { epoch, made: true };
    },
    ...(filename === ':memory:' ? {} : { workerAccess: { source: driver.workerSource, filename } }),
    transaction: runInTransaction,
    append(event) {
      const row = outletRow(event.outlet);
      const seq = row.head + 1;
      const envelope = { ...event.envelope, seq };
      // The event first: a refused insert (a used event_id) leaves the head untouched.
      stmt.insertEvent.run(
        event.outlet,
        seq,
        envelope.event_id,
        event.tenant,
        event.tsMs,
        JSON.stringify(envelope),
      );
      // The outlet's row is written once; after that the events themselves carry the head.
      if (row.head === 0) {
        stmt.addOutlet.run(event.outlet);
        outletCache.set(event.outlet, row);
      }
      row.head = seq;
      return { ...event, envelope };
    },
    putOrder(order) {
      stmt.putOrder.run(
        order.orderId,
        order.outlet,
        order.tenant,
        order.state.status,
        order.createdSeq,
        order.statusSeq,
        order.updatedMs,
        JSON.stringify(order.state),
      );
    },
    putAck(orderId, kitchenId, seq) {
      stmt.putAck.run(orderId, kitchenId, seq);
    },
    getOrder(orderId) {
      const row = stmt.getOrder.get(orderId) as OrderRow | undefined;
      return row ? toOrder(row) : undefined;
    },
    getEvent(eventId) {
      const row = stmt.getEvent.get(eventId) as EventRow | undefined;
      return row ? toEvent(row) : undefined;
    },
    getAck(orderId, kitchenId) {
      return (stmt.getAck.get(orderId, kitchenId) as { seq: number } | undefined)?.seq;
    },
    getPrunedOrder(orderId) {
      const row = stmt.getPruned.get(orderId) as PrunedOrderRow | undefined;
      return row ? toPrunedOrder(row) : undefined;
    },
    getPrunedEvent(eventId) {
      const row = stmt.getPrunedEvent.get(eventId) as PrunedEventRow | undefined;
      return row ? toPrunedEvent(row) : undefined;
    },
    eventIdAt: (outlet, seq) =>
      (stmt.eventIdAt.get(outlet, seq) as { event_id: string } | undefined)?.event_id,
    head: (outlet) => outletRow(outlet).head,
    prunedThrough: (outlet) => outletRow(outlet).prunedThrough,
    eventsAfter(outlet, since, limit, tenants: TenantScope) {
      const rows = tenants
        ? stmt.eventsAfterScoped.all(outlet, since, JSON.stringify(tenants), limit)
        : stmt.eventsAfter.all(outlet, since, limit);
      return (rows as EventRow[]).map(toEvent);
    },
    envelopeTextsAfter(outlet, since, limit) {
      const rows = stmt.envelopeTextsAfter.all(outlet, since, limit) as Array<{ body: string }>;
      return rows.map((row) => row.body);
    },
    openOrders(outlet, tenants) {
      const rows = tenants
        ? stmt.openOrdersScoped.all(outlet, JSON.stringify(tenants))
        : stmt.openOrders.all(outlet);
      // An unreadable order is left out (and told): the snapshot is how kitchens get past
      // an unreadable event, so it must not fail too.
      const orders: OrderState[] = [];
      for (const row of rows as Array<{ order_id: string; body: string }>) {
        const state = parsed<OrderState>(row.body);
        if (state) orders.push(state);
        else options.onUnreadableRow?.({ table: 'orders', outlet, key: row.order_id });
      }
      return orders;
    },
    outlets: outletKeys,
    prune(policy: RetentionPolicy, nowMs: number) {
      let removed = 0;
      runInTransaction(() => {
        stmt.forgetPrunedBefore.run(nowMs - (policy.prunedIdsKeptMs ?? PRUNED_ORDER_IDS_KEPT_MS));
        for (const outlet of outletKeys()) {
          const row = outletRow(outlet);
          const cutoff = nowMs - policy.maxAgeMs;
          const oldest = stmt.oldestTs.get(outlet) as { ts_ms: number } | undefined;
          // The scan by age runs only when the oldest event is actually too old.
          const byAge =
            oldest && oldest.ts_ms < cutoff
              ? ((stmt.lastSeqBefore.get(outlet, cutoff) as { seq: number | null }).seq ?? 0)
              : 0;
          const cut = Math.max(row.head - policy.maxEvents, byAge);
          if (cut <= row.prunedThrough) continue;
          const from = row.prunedThrough;
          stmt.recordPrunedEvents.run({ outlet, cut });
          removed += stmt.deleteEvents.run(outlet, cut).changes;
          stmt.setPruned.run(cut, outlet);
          row.prunedThrough = cut;
          stmt.deleteAcks.run(outlet, cut);
          stmt.recordPruned.run(nowMs, outlet, cut);
          stmt.forgetPrunedEventsOfPruned.run(outlet, cut);
          stmt.deleteOrders.run(outlet, cut);
          stmt.forgetPrunedEventsBeyond.run({
            outlet,
            from,
            cut,
            max: policy.maxPrunedEventIds ?? MAX_PRUNED_EVENT_IDS_PER_ORDER,
          });
          stmt.forgetPrunedBeyond.run({ outlet, max: policy.maxPrunedIds ?? MAX_PRUNED_ORDER_IDS });
        }
      });
      return removed;
    },
    countEvents: () => (stmt.count.get() as { n: number }).n,
    getCursor: (name) => (stmt.getCursor.get(name) as { value: number } | undefined)?.value,
    setCursor(name, value) {
      stmt.setCursor.run(name, value);
    },
    close() {
      try {
        recordHighWater(true);
      } catch {
        // only the restore check's mark; the log itself is what must close well
      }
      checkpointer?.stop();
      if (db.isOpen) {
        // Everything into relay.db before exit, so the file alone is a complete copy after a
        // graceful stop (an operator may copy it without its -wal).
        try {
          db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        } catch {
          // Nothing is lost: the commits stay in relay.db-wal, which SQLite replays on open.
        }
        db.close();
      }
      lock?.release();
    },
  };
}
