/** Where a kiosk keeps its counter; per outlet, so a tablet moved between outlets starts afresh. */
const KEY_PREFIX = 'kitchen-sync-demo:queue-number:';

interface Counter {
  day: string;
  last: number;
}

/** The local calendar day: the count starts again at 1 each morning. */
function dayOf(now: Date): string {
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}

/** `?terminal=B`: a letter (or two) per kiosk of an outlet; `A` when there is only one. */
export function readTerminal(params: URLSearchParams): string {
  const terminal = (params.get('terminal') ?? '').trim().toUpperCase();
  return /^[A-Z]{1,2}$/.test(terminal) ? terminal : 'A';
}

/**
 * The guest's number for one checkout (`A001`, `A002`, …): the terminal's letter and a count
 * that only goes up within the day, so two checkouts of one day never share a number, and
 * two kiosks never do as long as each has its own letter. Kept in localStorage, which
 * survives a reload and works with no network: the number is on the receipt before the
 * relay or central has the order.
 */
export class QueueNumbers {
  readonly #storage: Storage;
  readonly #key: string;
  readonly #terminal: string;

  constructor(storage: Storage, outletId: number, terminal: string) {
    this.#storage = storage;
    this.#key = `${KEY_PREFIX}${outletId}:${terminal}`;
    this.#terminal = terminal;
  }

  next(now: Date): string {
    const day = dayOf(now);
    const held = this.#read();
    const last = held?.day === day ? held.last : 0;
    const counter: Counter = { day, last: last + 1 };
    this.#storage.setItem(this.#key, JSON.stringify(counter));
    return `${this.#terminal}${String(counter.last).padStart(3, '0')}`;
  }

  #read(): Counter | null {
    try {
      const value = JSON.parse(this.#storage.getItem(this.#key) ?? 'null') as Counter | null;
      return value && typeof value.day === 'string' && Number.isSafeInteger(value.last)
        ? value
        : null;
    } catch {
      return null;
    }
  }
}
