import type { RequestType } from '@kitchen-sync/protocol';
import { IdbStore } from '../lib/idbStore.js';
import { type OutboxDbSchema, openOutboxDb } from './outboxDb.js';
import { onVersionOf } from './staleAnswer.js';
import type { OutboxEntry, OutboxFailure, RejectedEntry } from './types.js';

export type NewOutboxEntry = Omit<OutboxEntry, 'id'>;

/** The outbox's two queues in IndexedDB: `pending` in submission order, and `rejected`. */
export class OutboxStore extends IdbStore<OutboxDbSchema> {
  static async open(factory: IDBFactory | undefined, name: string): Promise<OutboxStore> {
    return new OutboxStore(await openOutboxDb(factory, name));
  }

  async add<T extends RequestType>(entry: Omit<OutboxEntry<T>, 'id'>): Promise<OutboxEntry<T>> {
    // No id: the auto-increment key assigns it, in submission order.
    const id = await this.db.add('pending', entry as unknown as OutboxEntry);
    return { ...entry, id } as OutboxEntry<T>;
  }

  /** The first `count` entries waiting, in submission order: the next sends come from them. */
  head(count: number): Promise<OutboxEntry[]> {
    return this.db.getAll('pending', null, count);
  }

  pending(): Promise<OutboxEntry[]> {
    return this.db.getAll('pending');
  }

  rejected(): Promise<RejectedEntry[]> {
    return this.db.getAll('rejected');
  }

  /** Records a failed attempt so the count and the reason survive a reload. */
  async recordFailure(id: number, failure: OutboxFailure): Promise<OutboxEntry | undefined> {
    const tx = this.db.transaction('pending', 'readwrite');
    const entry = await tx.store.get(id);
    if (entry) {
      entry.attempts += 1;
      entry.last_error = failure;
      await tx.store.put(entry);
    }
    await tx.done;
    return entry;
  }

  async remove(id: number): Promise<void> {
    await this.db.delete('pending', id);
  }

  /** Moves an entry to `rejected` in one transaction, so it is never in both or neither. */
  async reject(id: number, error: OutboxFailure, at: number): Promise<RejectedEntry | undefined> {
    const tx = this.db.transaction(['pending', 'rejected'], 'readwrite');
    const entry = await tx.objectStore('pending').get(id);
    let rejected: RejectedEntry | undefined;
    if (entry) {
      rejected = { ...entry, rejected_at: at, error };
      await tx.objectStore('pending').delete(id);
      await tx.objectStore('rejected').put(rejected);
    }
    await tx.done;
    return rejected;
  }

  /**
   * Puts a rejected entry back in line under its original id, so submission order holds; one
   * answered `stale` now names the version the relay's order had, so it applies to that.
   */
  async restore(id: number): Promise<OutboxEntry | undefined> {
    const tx = this.db.transaction(['pending', 'rejected'], 'readwrite');
    const rejected = await tx.objectStore('rejected').get(id);
    let entry: OutboxEntry | undefined;
    if (rejected) {
      const { rejected_at: _at, error, ...rest } = rejected;
      entry = {
        ...rest,
        payload: onVersionOf(rest.payload, error.order),
        attempts: 0,
        last_error: null,
      };
      await tx.objectStore('rejected').delete(id);
      await tx.objectStore('pending').put(entry);
    }
    await tx.done;
    return entry;
  }

  async discard(id: number): Promise<void> {
    await this.db.delete('rejected', id);
  }
}
