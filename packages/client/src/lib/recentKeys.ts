/**
 * A bounded set of recently seen keys, oldest evicted first: event keys for de-duplication
 * across sources, order ids a kitchen has announced. Big enough for the overlap it covers,
 * without growing for the life of a screen that stays open for weeks.
 */
export class RecentKeys {
  readonly #max: number;
  readonly #keys = new Set<string>();

  constructor(max = 5_000) {
    this.#max = Math.max(1, max);
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    // Re-inserting moves a key to the young end, so a key seen again lives on.
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.#max) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  get size(): number {
    return this.#keys.size;
  }
}
