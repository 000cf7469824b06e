import type { Timers } from '../../../src/lib/environment.js';

interface Task {
  at: number;
  fn: () => void;
  every: number | null;
}

/** A wall clock and timers that move only when the test moves them. */
export class FakeClock implements Timers {
  time = Date.UTC(2026, 0, 15, 9, 0, 0);
  readonly #tasks = new Map<number, Task>();
  #nextId = 1;

  readonly now = (): number => this.time;

  setTimeout(fn: () => void, ms: number): unknown {
    this.#tasks.set(this.#nextId, { at: this.time + ms, fn, every: null });
    return this.#nextId++;
  }

  clearTimeout(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): unknown {
    this.#tasks.set(this.#nextId, { at: this.time + ms, fn, every: ms });
    return this.#nextId++;
  }

  clearInterval(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }

  get pending(): number {
    return this.#tasks.size;
  }

  /** Moves the clock, running each due timer at its own time. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, Task] | null = null;
      for (const entry of this.#tasks) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      const [id, task] = next;
      this.time = task.at;
      if (task.every === null) this.#tasks.delete(id);
      else task.at += task.every;
      task.fn();
    }
    this.time = target;
  }

  /**
   * Settles `promise` while moving the clock `stepMs` per macrotask turn, so backoff sleeps
   * elapse without real waiting while requests and IndexedDB work keep their real pace.
   */
  async drive<T>(promise: Promise<T>, stepMs = 100, maxTurns = 5_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let turn = 0; turn < maxTurns && !settled; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!settled) this.advance(stepMs);
    }
    if (!settled) throw new Error(`still pending after ${maxTurns} turns`);
    return tracked;
  }
}
