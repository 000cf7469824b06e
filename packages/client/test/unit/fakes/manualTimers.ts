import type { Timers } from '../../../src/lib/environment.js';

interface Task {
  at: number;
  fn: () => void;
  every: number | null;
}

/** Timers and a clock that move only when the test says so. */
export class ManualTimers implements Timers {
  time = 0;
  readonly #tasks = new Map<number, Task>();
  #nextId = 1;

  readonly now = (): number => this.time;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#tasks.set(id, { at: this.time + ms, fn, every: null });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#tasks.set(id, { at: this.time + ms, fn, every: ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }

  /** Delays (from now) of every scheduled timer, soonest first. */
  delays(): number[] {
    return [...this.#tasks.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock, running each due timer at its own time. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let dueId: number | null = null;
      let due: Task | null = null;
      for (const [id, task] of this.#tasks) {
        if (task.at <= target && (!due || task.at < due.at)) {
          dueId = id;
          due = task;
        }
      }
      if (dueId === null || !due) break;
      this.time = due.at;
      if (due.every === null) this.#tasks.delete(dueId);
      else due.at += due.every;
      due.fn();
    }
    this.time = target;
  }
}
