import { IdbStore } from '../lib/idbStore.js';
import { centralCursorOf } from '../socket/cursor.js';
import type { CentralCursor, Cursor } from '../socket/types.js';
import { type FeedDbSchema, openFeedDb } from './feedDb.js';
import type { FeedRecord } from './types.js';

/** What one burst of events changed; written in one transaction. */
export interface FeedChanges {
  put: FeedRecord[];
  remove: string[];
  cursor: Cursor;
  /** Where central's log is applied up to (null: nothing yet); central's numbering. */
  centralCursor: CentralCursor | null;
}

export const EMPTY_CURSOR: Cursor = { since: 0, epoch: null };

/** The kitchen's orders and cursor in IndexedDB. */
export class FeedStore extends IdbStore<FeedDbSchema> {
  #scope: string | null = null;

  static async open(factory: IDBFactory | undefined, name: string): Promise<FeedStore> {
    return new FeedStore(await openFeedDb(factory, name));
  }

  /**
   * The stored orders and cursor, taken under `scope`. Stored under another one (the tablet was
   * moved to another tenant or outlet, or by a version that did not record it), the orders
   * `inScope` refuses are deleted and both cursors forgotten, so the relay and central send the
   * new scope's open orders again; the orders still in scope stay, waiting ones too.
   */
  async load(
    scope: string,
    inScope: (record: FeedRecord) => boolean,
  ): Promise<{ records: FeedRecord[]; cursor: Cursor; centralCursor: CentralCursor | null }> {
    this.#scope = scope;
    const tx = this.db.transaction(['orders', 'meta'], 'readwrite');
    const orders = tx.objectStore('orders');
    const meta = tx.objectStore('meta');
    const [records, held, cursor, central] = await Promise.all([
      orders.getAll(),
      meta.get('scope'),
      meta.get('cursor'),
      meta.get('central_seq'),
    ]);
    if (held !== scope) {
      const writes: Promise<unknown>[] = records
        .filter((record) => !inScope(record))
        .map((record) => orders.delete(record.order_id));
      writes.push(meta.delete('cursor'), meta.delete('central_seq'), meta.put(scope, 'scope'));
      await Promise.all([...writes, tx.done]);
      return { records: records.filter(inScope), cursor: EMPTY_CURSOR, centralCursor: null };
    }
    await tx.done;
    return {
      records,
      cursor: isCursor(cursor) ? cursor : EMPTY_CURSOR,
      centralCursor: centralCursorOf(central),
    };
  }

  /**
   * Orders and cursor in the same transaction: after a crash the cursor never claims events
   * whose orders were not stored, so the relay resends them. Another tab on the same database
   * may be ahead on the same log: then neither an older order nor an older cursor overwrites
   * what it stored. A tab opened since under another scope owns the database: nothing is written.
   */
  async commit(changes: FeedChanges): Promise<void> {
    const tx = this.db.transaction(['orders', 'meta'], 'readwrite');
    const orders = tx.objectStore('orders');
    const meta = tx.objectStore('meta');
    const [held, scope] = await Promise.all([meta.get('cursor'), meta.get('scope')]);
    if (scope !== this.#scope) return tx.done;
    const stored = isCursor(held) ? held : undefined;
    const sameLog = stored !== undefined && stored.epoch === changes.cursor.epoch;
    const putNewer = async (record: FeedRecord): Promise<void> => {
      const held = await orders.get(record.order_id);
      if (!held || !isAhead(held, record)) await orders.put(record);
    };
    const writes: Promise<unknown>[] = [];
    for (const id of changes.remove) writes.push(orders.delete(id));
    for (const record of changes.put) writes.push(sameLog ? putNewer(record) : orders.put(record));
    const cursor = sameLog && stored.since > changes.cursor.since ? stored : changes.cursor;
    writes.push(meta.put(cursor, 'cursor'));
    if (changes.centralCursor) writes.push(meta.put(changes.centralCursor, 'central_seq'));
    await Promise.all([...writes, tx.done]);
  }
}

function isCursor(value: unknown): value is Cursor {
  return typeof value === 'object' && value !== null;
}

export function isOrphan(record: FeedRecord): boolean {
  return record.orphaned_at !== undefined && record.orphaned_at !== null;
}

/** `held` is strictly newer than `next` on the same log (an orphan loses to the new log). */
function isAhead(held: FeedRecord, next: FeedRecord): boolean {
  if (isOrphan(held) !== isOrphan(next)) return isOrphan(next);
  return (held.order.version ?? 0) > (next.order.version ?? 0);
}
