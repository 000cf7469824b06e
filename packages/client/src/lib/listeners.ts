import { reportListenerError } from '../store.js';

type Listener = (...args: never[]) => void;

/** Typed listener sets; a listener that throws is reported and never stops the others. */
export class Listeners {
  readonly #byType = new Map<string, Set<Listener>>();

  on(type: string, fn: Listener): () => void {
    let set = this.#byType.get(type);
    if (!set) {
      set = new Set();
      this.#byType.set(type, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  emit(type: string, ...args: unknown[]): void {
    const set = this.#byType.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  clear(): void {
    this.#byType.clear();
  }
}
