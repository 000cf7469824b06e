import type { DBSchema, IDBPDatabase } from 'idb';
import { openIdb } from '../lib/openIdb.js';
import type { OutboxEntry, RejectedEntry } from './types.js';

export interface OutboxDbSchema extends DBSchema {
  pending: { key: number; value: OutboxEntry };
  rejected: { key: number; value: RejectedEntry };
}

export type OutboxDb = IDBPDatabase<OutboxDbSchema>;

const OUTBOX_DB_VERSION = 1;

export function openOutboxDb(factory: IDBFactory | undefined, name: string): Promise<OutboxDb> {
  return openIdb<OutboxDbSchema>(factory, name, OUTBOX_DB_VERSION, (db, oldVersion) => {
    if (oldVersion < 1) {
      // The auto-increment key is the submission order, which delivery must keep.
      db.createObjectStore('pending', { keyPath: 'id', autoIncrement: true });
      db.createObjectStore('rejected', { keyPath: 'id' });
    }
  });
}
