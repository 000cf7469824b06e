import type { DBSchema, IDBPDatabase } from 'idb';

/** A store with domain meaning over one IndexedDB database; services see only the store. */
export class IdbStore<S extends DBSchema> {
  protected readonly db: IDBPDatabase<S>;

  constructor(db: IDBPDatabase<S>) {
    this.db = db;
  }

  close(): void {
    this.db.close();
  }
}
