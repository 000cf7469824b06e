import { type Readable, readonly, writable } from '../../store.js';
import type { ViewEntry } from './ticketView.js';

type KeyTarget = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export interface BumpBarOptions<E extends ViewEntry> {
  /** The screen's view: the bar selects among its entries, in its order. */
  view: Readable<readonly E[]>;
  /** What Enter does to the selected entry (e.g. `bumpLines(outbox, entry)`). */
  onBump: (entry: E) => unknown;
  /** Where keys are read. Default `document`; `null` for none (call `press` yourself). */
  target?: KeyTarget | null;
  /**
   * After a bump, Enter does nothing for this long (ms; default 500): a bouncing key, or a
   * second press, would otherwise bump the ticket that just moved into the selection.
   */
  guardMs?: number;
}

export interface BumpBar {
  /** The selected ticket's order id: it stays on the same ticket as the view reorders. */
  readonly selected: Readable<string | null>;
  /**
   * Handles one key (`KeyboardEvent.key`); true when it is one of the bar's (even when it does
   * nothing). A `repeat` (the key held down) may move the selection, never bump.
   */
  press(key: string, repeat?: boolean): boolean;
  stop(): void;
}

/**
 * A keyboard bump bar: `1`–`9` select the n-th ticket, arrows move the selection, Enter
 * bumps it. Kitchen bump bars are keyboards that send exactly these keys. A held Enter bumps
 * once, and a bump is followed by `guardMs` in which Enter does nothing.
 */
export function createBumpBar<E extends ViewEntry>(options: BumpBarOptions<E>): BumpBar {
  const selected = writable<string | null>(null);
  let entries: readonly E[] = [];
  const indexOf = (id: string | null) => entries.findIndex((e) => e.ticket.order_id === id);
  const select = (index: number): void => {
    const entry = entries[Math.max(0, Math.min(entries.length - 1, index))];
    selected.set(entry ? entry.ticket.order_id : null);
  };
  const unwatch = options.view.subscribe((list) => {
    const at = indexOf(selected.get());
    entries = list;
    // The selected ticket left (bumped): the one that took its place is selected.
    if (selected.get() !== null && indexOf(selected.get()) < 0) select(Math.max(at, 0));
  });

  let guarded = false;
  const press = (key: string, repeat?: boolean): boolean => {
    const at = indexOf(selected.get());
    if (/^[1-9]$/.test(key)) {
      if (Number(key) <= entries.length) select(Number(key) - 1);
    } else if (key === 'ArrowRight' || key === 'ArrowDown') select(at < 0 ? 0 : at + 1);
    else if (key === 'ArrowLeft' || key === 'ArrowUp') select(at < 0 ? 0 : at - 1);
    else if (key === 'Enter') {
      const entry = entries[at];
      if (entry && !repeat && !guarded) {
        guarded = true;
        setTimeout(() => (guarded = false), options.guardMs ?? 500);
        options.onBump(entry);
      }
    } else return false;
    return true;
  };

  const target =
    options.target === undefined
      ? (globalThis as { document?: KeyTarget }).document
      : options.target;
  const onKey = (event: Event): void => {
    const keyEvent = event as KeyboardEvent;
    // Typing in a field is not a bump. Any other focus (a button, the tenant picker) keeps the
    // bar working, and the bar's keys do not reach it: Enter clicks no button, arrows change
    // no select.
    const field = (keyEvent.target as { tagName?: string } | null)?.tagName;
    if (field === 'INPUT' || field === 'TEXTAREA') return;
    if (press(keyEvent.key, keyEvent.repeat)) keyEvent.preventDefault?.();
  };
  target?.addEventListener('keydown', onKey);

  return {
    selected: readonly(selected),
    press,
    stop() {
      unwatch();
      target?.removeEventListener('keydown', onKey);
    },
  };
}
