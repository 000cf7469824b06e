import type { OutboxLocks } from '../../../src/outbox/orderOutbox.js';

interface Waiter {
  name: string;
  callback: () => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** An in-memory Web Locks manager: exclusive locks, granted in request order. */
export class FakeLocks implements OutboxLocks {
  readonly #held = new Set<string>();
  readonly #queue: Waiter[] = [];

  isHeld(name: string): boolean {
    return this.#held.has(name);
  }

  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => Promise<void>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter = { name, callback, resolve, reject };
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
      this.#held.add(waiter.name);
      waiter
        .callback()
        .then(waiter.resolve, waiter.reject)
        .finally(() => {
          this.#held.delete(waiter.name);
          this.#grant();
        });
    }
  }
}
