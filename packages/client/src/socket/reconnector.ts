import { Backoff, type BackoffOptions } from '../lib/backoff.js';
import type { Environment } from '../lib/environment.js';

/**
 * When a socket transport tries again: after a jittered backoff, at once on demand (the browser
 * came back online), never once closed. Shared by the central and relay sockets.
 */
export class Reconnector {
  readonly #env: Environment;
  readonly #backoff: Backoff;
  readonly #attempt: () => void;
  #timer: unknown = null;
  #closed = true;
  #failedBefore = 0;

  constructor(env: Environment, options: BackoffOptions | undefined, attempt: () => void) {
    this.#env = env;
    this.#backoff = new Backoff({ random: env.random, ...options });
    this.#attempt = attempt;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens and attempts at once. */
  open(): void {
    this.#closed = false;
    this.#attempt();
  }

  /** The next attempt, after the backoff; one pending at a time. */
  schedule(): void {
    if (this.#closed || this.#timer !== null) return;
    this.#timer = this.#env.timers.setTimeout(() => {
      this.#timer = null;
      this.#attempt();
    }, this.#backoff.duration());
  }

  /** Skips the wait; the caller checks that no attempt is under way. */
  now(): void {
    if (this.#closed) return;
    this.#cancel();
    this.#attempt();
  }

  /** Connected: the next failure starts from the shortest delay again. */
  succeeded(): void {
    this.#failedBefore = this.#backoff.attempts;
    this.#backoff.reset();
  }

  /**
   * The connection opened only to be refused (central closing with 4401): not a success. The
   * backoff goes on from where it was, so a refused token is not retried every second.
   */
  refused(): void {
    this.#backoff.restore(this.#failedBefore + 1);
    this.schedule();
  }

  close(): void {
    this.#closed = true;
    this.#cancel();
  }

  #cancel(): void {
    this.#env.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
