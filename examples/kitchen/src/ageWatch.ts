import type { TicketClock } from '@kitchen-sync/client/feed-views';
import { formatAge } from './ticketsView';

/**
 * Ticket ages on screen: each card's colour follows its age level (set twice in its life,
 * when it crosses warn and late), and one tick of the shared clock rewrites the m:ss texts.
 */
export class AgeWatch {
  readonly #clock: TicketClock;
  readonly #stops = new Map<HTMLElement, () => void>();
  readonly #container: HTMLElement;

  constructor(clock: TicketClock, container: HTMLElement) {
    this.#clock = clock;
    this.#container = container;
    // `ageMs` reads the clock now: the tick's value may predate the relay clock's offset.
    clock.now.subscribe(() => {
      for (const node of this.#container.querySelectorAll<HTMLElement>('.age[data-created-ms]')) {
        node.textContent = formatAge(clock.ageMs(Number(node.dataset.createdMs)));
      }
    });
  }

  /** Colours `card` by the age of a ticket created at `createdMs`. */
  attach(card: HTMLElement, createdMs: number): void {
    this.release(card);
    const stop = this.#clock.level(createdMs).subscribe((level) => {
      card.dataset.age = level;
    });
    this.#stops.set(card, stop);
  }

  release(card: HTMLElement): void {
    this.#stops.get(card)?.();
    this.#stops.delete(card);
  }

  releaseAll(): void {
    for (const stop of this.#stops.values()) stop();
    this.#stops.clear();
  }
}

export function ageText(createdMs: number, now: number): HTMLElement {
  const age = document.createElement('span');
  age.className = 'age';
  age.dataset.createdMs = String(createdMs);
  age.textContent = formatAge(now - createdMs);
  return age;
}
