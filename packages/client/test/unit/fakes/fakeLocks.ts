import type { OutboxLocks } from '../../../src/outbox/orderOutbox.js';

interface Waiter {
  name: string;
  callback: () => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * An in-memory Web Locks manager: exclusive locks, granted in request order. `steal` releases
 * the lock from its holder, whose request rejects with AbortError (through `tellStolen`, which
 * a test may hold back as a hung tab's event loop would), and grants it at once; with
 * `steal: false` the manager has none and refuses such a request, as a partial polyfill may.
 */
export class FakeLocks implements OutboxLocks {
  readonly #held = new Map<string, Waiter>();
  readonly #queue: Waiter[] = [];
  readonly #steal: boolean;
  tellStolen = (reject: () => void): void => reject();

  constructor({ steal = true }: { steal?: boolean } = {}) {
    this.#steal = steal;
  }

  isHeld(name: string): boolean {
    return this.#held.has(name);
  }

  request(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean },
    callback: () => Promise<void>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter = { name, callback, resolve, reject };
      if (options.steal) {
        if (!this.#steal || options.signal) {
          reject(new DOMException('no steal', 'NotSupportedError'));
          return;
        }
        const holder = this.#held.get(name);
        if (holder) this.tellStolen(() => holder.reject(new DOMException('stolen', 'AbortError')));
        this.#held.delete(name);
        this.#queue.unshift(waiter);
        this.#grant();
        return;
      }
      options.signal?.addEventListener('abort', () => {
        const index = this.#queue.indexOf(waiter);
        if (index < 0) return;
        this.#queue.splice(index, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
      this.#queue.push(waiter);
      this.#grant();
    });
  }

  #grant(): void {
    for (const waiter of [...this.#queue]) {
      if (this.#held.has(waiter.name)) continue;
      this.#queue.splice(this.#queue.indexOf(waiter), 1);
      this.#held.set(waiter.name, waiter);
      waiter
        .callback()
        .then(waiter.resolve, waiter.reject)
        .finally(() => {
          // A holder stolen from still ends its callback later: the lock is no longer its own.
          if (this.#held.get(waiter.name) !== waiter) return;
          this.#held.delete(waiter.name);
          this.#grant();
        });
    }
  }
}
