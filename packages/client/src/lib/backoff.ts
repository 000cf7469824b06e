export interface BackoffOptions {
  /** First delay, ms. */
  min?: number;
  /** Largest delay, ms. */
  max?: number;
  factor?: number;
  /** 0..1: the share of each delay that is randomised, so terminals don't reconnect in lockstep. */
  jitter?: number;
  random?: () => number;
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
}
