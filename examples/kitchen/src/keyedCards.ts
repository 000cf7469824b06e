import type { ViewEntry } from '@kitchen-sync/client/feed-views';
import type { AgeWatch } from './ageWatch';

/**
 * Cards keyed by order id: an entry the view did not change keeps its element (a cook may be
 * mid-tap on it); a changed one is rebuilt; the rest are only moved into the view's order.
 */
export class KeyedCards<E extends ViewEntry> {
  readonly #cards = new Map<string, { entry: E; card: HTMLElement }>();
  readonly #container: HTMLElement;
  readonly #ages: AgeWatch;
  readonly #build: (entry: E) => HTMLElement;

  constructor(container: HTMLElement, ages: AgeWatch, build: (entry: E) => HTMLElement) {
    this.#container = container;
    this.#ages = ages;
    this.#build = build;
  }

  /** `extra` cards (built by the caller each time) follow the view's. */
  render(entries: readonly E[], extra: HTMLElement[] = []): void {
    const next = new Map<string, { entry: E; card: HTMLElement }>();
    for (const entry of entries) {
      const id = entry.ticket.order_id;
      const held = this.#cards.get(id);
      if (held && held.entry === entry) {
        next.set(id, held);
        continue;
      }
      if (held) this.#ages.release(held.card);
      const card = this.#build(entry);
      this.#ages.attach(card, entry.ticket.received_ms);
      next.set(id, { entry, card });
    }
    for (const [id, { card }] of this.#cards) if (!next.has(id)) this.#ages.release(card);
    this.#cards.clear();
    for (const [id, value] of next) this.#cards.set(id, value);
    this.#container.replaceChildren(...[...next.values()].map((value) => value.card), ...extra);
  }

  entry(orderId: string): E | undefined {
    return this.#cards.get(orderId)?.entry;
  }
}
