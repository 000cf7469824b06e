import type { DBSchema, IDBPDatabase } from 'idb';
import { openIdb } from '../lib/openIdb.js';
import type { CentralCursor, Cursor } from '../socket/types.js';
import type { FeedRecord } from './types.js';

export interface FeedDbSchema extends DBSchema {
  orders: { key: string; value: FeedRecord };
  /**
   * `cursor`: the relay position the stored orders cover; `central_seq`: the position in
   * central's outlet log they cover (central mode's resume point; a seq alone in databases of
   * releases before `since_event`); `scope`: the outlet and tenants they were taken under
   * (`OrderBook.scope`; absent in earlier versions' databases).
   */
  meta: {
    key: 'cursor' | 'central_seq' | 'scope';
    value: Cursor | CentralCursor | number | string;
  };
}

export type FeedDb = IDBPDatabase<FeedDbSchema>;

const FEED_DB_VERSION = 1;

export function openFeedDb(factory: IDBFactory | undefined, name: string): Promise<FeedDb> {
  return openIdb<FeedDbSchema>(factory, name, FEED_DB_VERSION, (db, oldVersion) => {
    if (oldVersion < 1) {
      db.createObjectStore('orders', { keyPath: 'order_id' });
      db.createObjectStore('meta');
    }
  });
}
