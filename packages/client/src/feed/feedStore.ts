import { IdbStore } from '../lib/idbStore.js';
import type { Cursor } from '../socket/types.js';
import { type FeedDbSchema, openFeedDb } from './feedDb.js';
import type { FeedRecord } from './types.js';

/** What one burst of events changed; written in one transaction. */
export interface FeedChanges {
  put: FeedRecord[];
  remove: string[];
  cursor: Cursor;
}

export const EMPTY_CURSOR: Cursor = { since: 0, epoch: null };

/** The kitchen's orders and cursor in IndexedDB. */
export class FeedStore extends IdbStore<FeedDbSchema> {
  static async open(factory: IDBFactory | undefined, name: string): Promise<FeedStore> {
    return new FeedStore(await openFeedDb(factory, name));
  }

  async load(): Promise<{ records: FeedRecord[]; cursor: Cursor }> {
    const tx = this.db.transaction(['orders', 'meta'], 'readonly');
    const [records, cursor] = await Promise.all([
      tx.objectStore('orders').getAll(),
      tx.objectStore('meta').get('cursor'),
    ]);
    await tx.done;
    return { records, cursor: cursor ?? EMPTY_CURSOR };
  }

  /**
   * Orders and cursor in the same transaction: after a crash the cursor never claims events
   * whose orders were not stored, so the relay resends them.
   */
  async commit(changes: FeedChanges): Promise<void> {
    const tx = this.db.transaction(['orders', 'meta'], 'readwrite');
    const orders = tx.objectStore('orders');
    const writes: Promise<unknown>[] = [];
    for (const id of changes.remove) writes.push(orders.delete(id));
    for (const record of changes.put) writes.push(orders.put(record));
    writes.push(tx.objectStore('meta').put(changes.cursor, 'cursor'));
    await Promise.all([...writes, tx.done]);
  }
}
