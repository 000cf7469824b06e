/** Delay n (from 0) is `min(max, min · factor^n)`, spread by `jitter`; a success resets n. */
export interface BackoffOptions {
  /** First delay, ms. Default 1,000. */
  min?: number | undefined;
  /** Largest delay, ms; the jitter never goes above it. Default 30,000. */
  max?: number | undefined;
  /** Growth per failed attempt. Default 2. */
  factor?: number | undefined;
  /**
   * 0..1: each delay is drawn from `base · (1 ± jitter)`, so terminals don't reconnect in
   * lockstep. Default 0.5; 0 makes delays exact.
   */
  jitter?: number | undefined;
  /** Randomness for the jitter, for tests. Default the service's `random`, else `Math.random`. */
  random?: (() => number) | undefined;
}

/** Jittered exponential backoff; `duration()` gives the next delay, `reset()` starts over. */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.#min = options.min ?? 1_000;
    this.#max = options.max ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.#random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.#attempts;
  }

  duration(): number {
    const base = Math.min(this.#max, this.#min * this.#factor ** this.#attempts);
    this.#attempts++;
    if (this.#jitter === 0) return base;
    // Spread within [base·(1−jitter), base·(1+jitter)], never above max.
    const deviation = (this.#random() * 2 - 1) * this.#jitter * base;
    return Math.max(0, Math.min(this.#max, Math.round(base + deviation)));
  }

  reset(): void {
    this.#attempts = 0;
  }

  /** Goes back to `attempts` failures (a success that turned out not to be one). */
  restore(attempts: number): void {
    this.#attempts = attempts;
  }
}
