import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

/**
 * Workbox's background-sync database, read and written directly: Workbox's `Queue` only
 * offers shift-then-fetch, which loses the order when the worker dies mid-request, and it
 * cannot tell us an entry's id. Name, version and schema must stay exactly Workbox's
 * (workbox-background-sync/src/lib/QueueDb.ts, unchanged since v6); a unit test checks that
 * both sides see each other's entries.
 */
const DB_NAME = 'workbox-background-sync';
const DB_VERSION = 3;
const STORE = 'requests';
const QUEUE_NAME_INDEX = 'queueName';

/** What Workbox's `StorableRequest.toObject()` produces. */
export interface RequestData {
  url: string;
  headers: Record<string, string>;
  body?: ArrayBuffer;
  method?: string;
  [property: string]: unknown;
}

export interface EntryMetadata {
  idempotencyKey?: string;
  orderId?: string | null;
  reason?: 'rejected' | 'expired';
  status?: number;
  response?: string | null;
  rejectedAt?: number;
  /** When the queue resent this `expired` order by itself (at most once) and it failed again. */
  autoResentAt?: number;
}

export interface QueueEntry {
  id: number;
  queueName: string;
  requestData: RequestData;
  timestamp: number;
  metadata?: EntryMetadata;
}

interface QueueSchema extends DBSchema {
  requests: {
    key: number;
    value: QueueEntry;
    indexes: { queueName: string };
  };
}

/** Rejected orders live in the same store under their own queue name, so moving is atomic. */
const rejectedQueueName = (queueName: string): string => `${queueName}:rejected`;

export class OrderQueueDb {
  readonly #queueName: string;
  readonly #rejectedName: string;
  #db: Promise<IDBPDatabase<QueueSchema>> | undefined;

  constructor(queueName: string) {
    this.#queueName = queueName;
    this.#rejectedName = rejectedQueueName(queueName);
  }

  /**
   * Appends; resolves with the entry's id once it is on disk. `onId` hears the id before the
   * entry is committed, i.e. before any reader can see it.
   */
  async push(
    requestData: RequestData,
    timestamp: number,
    metadata: EntryMetadata,
    onId?: (id: number) => void,
  ): Promise<number> {
    const db = await this.#open();
    // Strict: the page is told "queued" after this, so a power cut must not undo it.
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const id = await tx.store.add({
      queueName: this.#queueName,
      requestData,
      timestamp,
      metadata,
    } as QueueEntry);
    onId?.(id);
    await tx.done;
    return id;
  }

  /** The next entry to replay, left in place until its answer is known. */
  async first(): Promise<QueueEntry | undefined> {
    const db = await this.#open();
    const cursor = await db
      .transaction(STORE)
      .store.index(QUEUE_NAME_INDEX)
      .openCursor(IDBKeyRange.only(this.#queueName), 'next');
    return cursor?.value;
  }

  async remove(id: number): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    await tx.store.delete(id);
    await tx.done;
  }

  /**
   * Moves an entry to the rejected list in one transaction: it is never in both or neither.
   * Resolves with its id there (a new one: ascending ids stay the original order).
   */
  async reject(entry: QueueEntry, rejection: EntryMetadata): Promise<number> {
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    await tx.store.delete(entry.id);
    const id = await tx.store.add({
      queueName: this.#rejectedName,
      requestData: entry.requestData,
      timestamp: entry.timestamp,
      metadata: { ...entry.metadata, ...rejection },
    } as QueueEntry);
    await tx.done;
    return id;
  }

  /** A rejected entry by id; `undefined` for pending, unknown or already removed ids. */
  async rejectedEntry(id: number): Promise<QueueEntry | undefined> {
    const db = await this.#open();
    const entry = await db.get(STORE, id);
    return entry?.queueName === this.#rejectedName ? entry : undefined;
  }

  /** Rewrites a rejected entry's metadata (a resend was refused, or failed again). */
  async updateRejected(entry: QueueEntry, rejection: EntryMetadata): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    // Dismissed while its resend was under way: it stays gone.
    if ((await tx.store.get(entry.id))?.queueName === this.#rejectedName) {
      await tx.store.put({ ...entry, metadata: { ...entry.metadata, ...rejection } });
    }
    await tx.done;
  }

  pending(): Promise<QueueEntry[]> {
    return this.#all(this.#queueName);
  }

  rejected(): Promise<QueueEntry[]> {
    return this.#all(this.#rejectedName);
  }

  async counts(): Promise<{ pending: number; rejected: number }> {
    const db = await this.#open();
    const tx = db.transaction(STORE);
    const index = tx.store.index(QUEUE_NAME_INDEX);
    const [pending, rejected] = await Promise.all([
      index.count(IDBKeyRange.only(this.#queueName)),
      index.count(IDBKeyRange.only(this.#rejectedName)),
    ]);
    return { pending, rejected };
  }

  /** Forgets rejected orders the staff has dealt with; ids of pending orders are left alone. */
  async dismissRejected(ids: readonly number[]): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite');
    for (const id of ids) {
      const entry = await tx.store.get(id);
      if (entry?.queueName === this.#rejectedName) await tx.store.delete(id);
    }
    await tx.done;
  }

  async #all(queueName: string): Promise<QueueEntry[]> {
    const db = await this.#open();
    return db.getAllFromIndex(STORE, QUEUE_NAME_INDEX, IDBKeyRange.only(queueName));
  }

  #open(): Promise<IDBPDatabase<QueueSchema>> {
    this.#db ??= openDB<QueueSchema>(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion) {
        // Workbox's own upgrade, step for step, whichever side opens the database first.
        if (oldVersion > 0 && oldVersion < DB_VERSION && db.objectStoreNames.contains(STORE)) {
          db.deleteObjectStore(STORE);
        }
        const store = db.createObjectStore(STORE, { autoIncrement: true, keyPath: 'id' });
        store.createIndex(QUEUE_NAME_INDEX, QUEUE_NAME_INDEX, { unique: false });
      },
      blocking: () => {
        // A newer schema wants in: step aside and reopen on the next call.
        void this.#db?.then((db) => db.close());
        this.#db = undefined;
      },
    }).catch((error: unknown) => {
      this.#db = undefined;
      throw error;
    });
    return this.#db;
  }
}
