/**
 * An array kept sorted by a total order: one insert or removal is a binary search and a
 * splice, so one event never re-sorts a screen of 500 tickets.
 */
export class SortedList<T> {
  readonly items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  insert(item: T): void {
    this.items.splice(this.#search(item), 0, item);
  }

  /** `item` must be the entry held (or compare equal to it). */
  remove(item: T): void {
    const index = this.#search(item);
    if (index < this.items.length && this.#compare(this.items[index] as T, item) === 0) {
      this.items.splice(index, 1);
    }
  }

  clear(): void {
    this.items.length = 0;
  }

  /** The first index whose item is not before `item`. */
  #search(item: T): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#compare(this.items[mid] as T, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
