import type { Id } from '@kitchen-sync/protocol';
import { type Readable, readonly, writable } from '../../store.js';
import type { TicketLine } from './ticket.js';
import type { TicketView, ViewEntry } from './ticketView.js';

/**
 * How many of one product (with the same name and modifiers) are still to make on a view. The
 * name is part of the key: an open-food placeholder ("Birthday cake", "Extra sambal" on one
 * product id) is different dishes, and a product renamed mid-service shows both names.
 */
export interface AllDayCount {
  /** product id, name and sorted modifiers. */
  key: string;
  product_id: Id;
  name: string;
  modifiers: readonly string[];
  quantity: number;
}

export interface AllDayCounts extends Readable<readonly AllDayCount[]> {
  stop(): void;
}

/**
 * All-day counts of a view: lines still to make (pending or preparing) across its tickets,
 * most first. Each changed entry takes its old lines off and adds its new ones, so an event
 * costs the lines of one ticket, not of the whole screen.
 */
export function createAllDayCounts<E extends ViewEntry>(view: TicketView<E>): AllDayCounts {
  const counts = new Map<string, AllDayCount>();
  const store = writable<readonly AllDayCount[]>([]);
  const add = (lines: readonly TicketLine[], sign: 1 | -1): boolean => {
    let changed = false;
    for (const line of lines) {
      if (line.status !== 'pending' && line.status !== 'preparing') continue;
      const key = countKey(line);
      let count = counts.get(key);
      if (!count) {
        count = {
          key,
          product_id: line.product_id,
          name: line.name,
          modifiers: [...line.modifiers].sort(),
          quantity: 0,
        };
        counts.set(key, count);
      }
      count.quantity += sign * line.quantity;
      if (count.quantity <= 0) counts.delete(key);
      changed = true;
    }
    return changed;
  };
  const publish = (): void => {
    const list = [...counts.values()].map((count) => ({ ...count }));
    list.sort((a, b) => b.quantity - a.quantity || (a.name < b.name ? -1 : 1));
    store.set(list);
  };
  for (const entry of view.get()) add(entry.lines, 1);
  publish();
  let dirty = false;
  const unwatchEntries = view.onEntry((before, after) => {
    if (before && add(before.lines, -1)) dirty = true;
    if (after && add(after.lines, 1)) dirty = true;
  });
  // The view publishes once per burst; so do the counts.
  const unwatchView = view.subscribe(() => {
    if (!dirty) return;
    dirty = false;
    publish();
  });
  return {
    ...readonly(store),
    stop() {
      unwatchEntries();
      unwatchView();
    },
  };
}

function countKey(line: TicketLine): string {
  const modifiers = line.modifiers.length > 1 ? [...line.modifiers].sort() : line.modifiers;
  return `${String(line.product_id)}\u0000${line.name}\u0000${modifiers.join('\u0000')}`;
}
