import {
  createMemoryEventStore,
  createSqliteEventStore,
  type EventStore,
  type StoredEvent,
} from '../src/index.js';
import { type LogReader, syncLogReader } from '../src/store/LogReader.js';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../src/store/postgres/postgresEventStore.js';
import { createPostgresWriteQueue } from '../src/store/postgres/postgresWriteQueue.js';
import { createWriteQueue, type WriteQueue } from '../src/store/writeQueue.js';
import { tempDir } from './helpers.js';
import { freshDatabaseUrl } from './sharedPostgres.js';

export type StoreKind = 'sqlite' | 'memory' | 'postgres';

/** A store as the relay drives it: writes through its queue, reads through its reader. */
export interface StoreUnderTest {
  kind: StoreKind;
  store: EventStore;
  reader: LogReader;
  queue: WriteQueue;
  /** Every event the queue reported committed, in order. */
  committed: StoredEvent[];
  close(): Promise<void>;
}

export async function openPostgresStore(url: string): Promise<PostgresEventStore> {
  const store = createPostgresEventStore({ url });
  await store.open();
  return store;
}

export async function openStoreUnderTest(kind: StoreKind, url?: string): Promise<StoreUnderTest> {
  const committed: StoredEvent[] = [];
  const onCommitted = (events: StoredEvent[]) => void committed.push(...events);
  if (kind === 'postgres') {
    const store = await openPostgresStore(url ?? (await freshDatabaseUrl()));
    return {
      kind,
      store,
      reader: store.reader,
      queue: createPostgresWriteQueue(store, onCommitted),
      committed,
      close: () => store.close(),
    };
  }
  const store =
    kind === 'sqlite' ? createSqliteEventStore({ dataDir: tempDir() }) : createMemoryEventStore();
  return {
    kind,
    store,
    reader: syncLogReader(store),
    queue: createWriteQueue(store, onCommitted),
    committed,
    close: async () => store.close(),
  };
}
