export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** 0..1: how much of each delay is random, so outlets that lost central together do not
   * all come back in the same second. */
  jitter: number;
  random: () => number;
}

/** Exponential back-off with a cap and jitter; `reset()` after a success. */
export class Backoff {
  #attempts = 0;

  constructor(private readonly options: BackoffOptions) {}

  get attempts(): number {
    return this.#attempts;
  }

  next(): number {
    const { minMs, maxMs, jitter, random } = this.options;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts += 1;
    // Full spread below the base: never longer than the cap.
    return Math.round(base * (1 - jitter * random()));
  }

  reset(): void {
    this.#attempts = 0;
  }
}
