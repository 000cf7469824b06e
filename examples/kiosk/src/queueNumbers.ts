import { type BusinessDayOptions, businessDayOf } from './businessDay';
import type { CounterStore } from './counterStore';

/** Where a kiosk keeps its counter; per outlet, so a tablet moved between outlets starts afresh. */
const KEY_PREFIX = 'kitchen-sync-demo:queue-number:';

interface Counter {
  /** The business day (`YYYY-MM-DD`) the count belongs to; the latest one this kiosk has seen. */
  day: string;
  last: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `?terminal=B`: a letter (or two) per kiosk of an outlet; `A` when there is only one. */
export function readTerminal(params: URLSearchParams): string {
  const terminal = (params.get('terminal') ?? '').trim().toUpperCase();
  return /^[A-Z]{1,2}$/.test(terminal) ? terminal : 'A';
}

/**
 * The guest's number for one checkout (`A001`, `A002`, …): the terminal's letter and a count
 * that starts again at 1 on the first checkout of a new business day (businessDay.ts: the
 * outlet's zone, from 04:00 by default) and otherwise only goes up. So two checkouts of one
 * kiosk never share a number within a business day, and two kiosks never do as long as each
 * has its own letter, nor two tabs of one kiosk (counterStore.ts). Kept in the browser, which
 * survives a reload and works with no network: the number is on the receipt before the relay or
 * central has the order. Clearing the browser's site data starts the count over.
 */
export class QueueNumbers {
  readonly #store: CounterStore;
  readonly #key: string;
  readonly #terminal: string;
  readonly #dayOf: (now: Date) => string;

  constructor(
    store: CounterStore,
    outletId: number,
    terminal: string,
    businessDay: BusinessDayOptions = {},
  ) {
    this.#store = store;
    this.#key = `${KEY_PREFIX}${outletId}:${terminal}`;
    this.#terminal = terminal;
    this.#dayOf = businessDayOf(businessDay);
  }

  async next(now: Date): Promise<string> {
    const day = this.#dayOf(now);
    const stored = await this.#store.update(this.#key, (raw, copy) => {
      const held = goOnFrom(readCounter(raw), readCounter(copy), day);
      // Only a later day restarts the count. A day before the stored one is a clock set back
      // (corrected after running ahead, or moved to a zone further west): restarting there
      // would hand out the day's numbers a second time, so the count goes on.
      const counter: Counter =
        held === null || day > held.day ? { day, last: 1 } : { day: held.day, last: held.last + 1 };
      return JSON.stringify(counter);
    });
    const { last } = JSON.parse(stored) as Counter;
    return `${this.#terminal}${String(last).padStart(3, '0')}`;
  }
}

/**
 * The count to go on from: the stored one, or the other copy (localStorage, which a tab of the
 * release before still writes while the kiosk is upgraded) when that one is further on. Not a
 * copy dated after `day`: that release counted calendar days and began again at midnight, in
 * the middle of a late service; the stored count of the business day goes on.
 */
function goOnFrom(stored: Counter | null, copy: Counter | null, day: string): Counter | null {
  if (!stored || !copy) return stored ?? copy;
  if (copy.day > day) return stored;
  if (stored.day !== copy.day) return stored.day > copy.day ? stored : copy;
  return stored.last >= copy.last ? stored : copy;
}

function readCounter(raw: string | null): Counter | null {
  try {
    const value = JSON.parse(raw ?? 'null') as Counter | null;
    return value &&
      typeof value.day === 'string' &&
      DAY.test(value.day) &&
      Number.isSafeInteger(value.last)
      ? value
      : null;
  } catch {
    return null;
  }
}
