import { type Readable, writable } from '../store.js';
import type { OutboxEntry } from './types.js';

export interface EntryList extends Readable<OutboxEntry[]> {
  /** Adds an entry at the end, or replaces one where it stands. */
  put(entry: OutboxEntry): void;
  /** False when the entry was not listed. */
  delete(id: number): boolean;
  set(list: OutboxEntry[]): void;
}

/**
 * The entries waiting, as a store: a Map by id (in insertion order, which is submission order)
 * so adding or settling one is O(1). The array is built when read, and on every change only
 * once someone subscribes (a page that shows the queue; the kitchen's does not): copying the
 * list for every ack made a backlog of thousands quadratic.
 */
export function entryList(): EntryList {
  const byId = new Map<number, OutboxEntry>();
  let array: OutboxEntry[] | null = [];
  let heard = false;
  const store = writable<OutboxEntry[]>([]);
  const get = () => {
    array ??= [...byId.values()];
    return array;
  };
  const changed = (): true => {
    array = null;
    if (heard) store.set(get());
    return true;
  };
  return {
    get,
    subscribe(run) {
      heard = true;
      store.set(get());
      return store.subscribe(run);
    },
    put(entry) {
      byId.set(entry.id, entry);
      changed();
    },
    delete: (id) => byId.delete(id) && changed(),
    set(list) {
      byId.clear();
      for (const entry of list) byId.set(entry.id, entry);
      changed();
    },
  };
}
