/** After a tap acted, further taps on the cards do nothing this long (a double tap, a bounce). */
const TAP_GUARD_MS = 500;
/** The longest a pressed pointer holds the cards still: a resting palm must not freeze them. */
const HOLD_MAX_MS = 2000;
/** After the pointer lifts, how long held cards wait for the tap's click before they render. */
const LIFT_MS = 300;

/**
 * Keeps a tap on the cards from acting on a ticket the cook did not aim at. While a pointer is
 * down on them, re-renders wait (nothing slides under the finger) until its click, at most
 * HOLD_MAX_MS; a tap acts only if its press started on the same button it ends on, and not
 * within TAP_GUARD_MS of the last tap that acted (the next ticket has moved up by then, or
 * the tapped button now says the next step).
 */
export class TapGuard {
  /** What the pointer went down on; `undefined` when no press is under way. */
  #pressed: Element | undefined;
  #holding = false;
  #held: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #cards: HTMLElement;

  constructor(cards: HTMLElement) {
    this.#cards = cards;
    cards.addEventListener('pointerdown', (event) => {
      this.#pressed = event.target as Element;
      this.#holding = true;
      this.#release(HOLD_MAX_MS, false);
    });
    for (const type of ['pointerup', 'pointercancel']) {
      document.addEventListener(type, () => {
        if (this.#pressed) this.#release(LIFT_MS, true);
      });
    }
    // After the screen's own click handlers (they bubble to the cards first).
    document.addEventListener('click', () => {
      if (this.#pressed) this.#release(0, true);
    });
  }

  /** Runs `render` now, or once the pressed pointer lets go; the latest render wins. */
  render(render: () => void): void {
    if (this.#holding) this.#held = render;
    else render();
  }

  /** The `selector` element a click acts on, or null when the click must do nothing. */
  tap(event: Event, selector: string): HTMLElement | null {
    const target = (event.target as Element).closest<HTMLElement>(selector);
    if (!target) return null;
    // A press that started elsewhere (the cards moved under it) is no tap on this.
    if (this.#pressed && this.#pressed.closest(selector) !== target) return null;
    // Marked on the cards while it lasts (tests wait it out as a cook's next tap does).
    const cards = this.#cards;
    if (cards.dataset.tapGuard) return null;
    cards.dataset.tapGuard = 'true';
    setTimeout(() => delete cards.dataset.tapGuard, TAP_GUARD_MS);
    return target;
  }

  /** In `ms`, renders what waited and (`done`) forgets the press. */
  #release(ms: number, done: boolean): void {
    clearTimeout(this.#timer);
    const release = () => {
      if (done) this.#pressed = undefined;
      this.#holding = false;
      const render = this.#held;
      this.#held = undefined;
      render?.();
    };
    if (ms === 0) release();
    else this.#timer = setTimeout(release, ms);
  }
}
