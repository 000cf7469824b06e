import { createNanoEvents } from 'nanoevents';
import { reportListenerError } from '../store.js';

type Listener = (...args: never[]) => void;

/**
 * Typed listener sets on nanoevents. nanoevents calls listeners in a plain loop, so one that
 * throws would skip the rest and unwind into the transport that emitted: each listener is
 * wrapped, its error reported asynchronously, and the others still hear the event.
 */
export class Listeners {
  readonly #emitter = createNanoEvents();

  on(type: string, fn: Listener): () => void {
    return this.#emitter.on(type, (...args: unknown[]) => {
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } catch (error) {
        reportListenerError(error);
      }
    });
  }

  emit(type: string, ...args: unknown[]): void {
    this.#emitter.emit(type, ...args);
  }

  clear(): void {
    this.#emitter.events = {};
  }
}
