import { type Readable, reportListenerError, type Subscriber } from '../store.js';
import type { OutboxEntry } from './types.js';

/**
 * The entries waiting, as a store: a Map by id (in insertion order, which is submission order)
 * so adding or settling one is O(1), and the array built only when read, subscribers told once
 * per microtask (a listener that throws keeps no other from hearing). Copying the list for
 * every ack made a backlog of thousands quadratic.
 */
export class EntryList implements Readable<OutboxEntry[]> {
  readonly #byId = new Map<number, OutboxEntry>();
  readonly #subscribers = new Set<Subscriber<OutboxEntry[]>>();
  #array: OutboxEntry[] | null = [];

  readonly get = (): OutboxEntry[] => {
    this.#array ??= [...this.#byId.values()];
    return this.#array;
  };

  readonly subscribe = (run: Subscriber<OutboxEntry[]>): (() => void) => {
    this.#subscribers.add(run);
    run(this.get());
    return () => this.#subscribers.delete(run);
  };

  /** Adds an entry at the end, or replaces one where it stands. */
  put(entry: OutboxEntry): void {
    this.#byId.set(entry.id, entry);
    this.#changed();
  }

  /** False when the entry was not listed. */
  delete(id: number): boolean {
    return this.#byId.delete(id) && this.#changed();
  }

  set(list: OutboxEntry[]): void {
    this.#byId.clear();
    for (const entry of list) this.#byId.set(entry.id, entry);
    this.#changed();
  }

  #changed(): true {
    if (this.#array) {
      this.#array = null;
      // Not queueMicrotask: that one carries listeners' errors (reportListenerError).
      Promise.resolve().then(() => {
        // Built once for everyone, and not at all while nobody listens.
        const value = this.#subscribers.size ? this.get() : [];
        for (const run of [...this.#subscribers]) {
          try {
            run(value);
          } catch (error) {
            reportListenerError(error);
          }
        }
      });
    }
    return true;
  }
}
