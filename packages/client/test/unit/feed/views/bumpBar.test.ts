import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBumpBar } from '../../../../src/feed/views/bumpBar.js';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import type { ViewEntry } from '../../../../src/feed/views/ticketView.js';
import { kitchenOrder, withLines } from './tickets.js';

function setup(count: number) {
  const board = new TicketBoard();
  const orders = Array.from({ length: count }, () =>
    kitchenOrder([{ station: 'grill', status: 'pending' }]),
  );
  board.sync(orders);
  const view = createStationView(board, { stations: ['grill'] });
  const bumped: string[] = [];
  const target = new EventTarget();
  const bar = createBumpBar({
    view,
    target,
    onBump: (entry: ViewEntry) => bumped.push(entry.ticket.order_id),
  });
  const key = (k: string, tagName = 'BODY', repeat = false) => {
    const event = new Event('keydown', { cancelable: true });
    Object.assign(event, { key: k, repeat });
    Object.defineProperty(event, 'target', { value: { tagName } });
    target.dispatchEvent(event);
    return event.defaultPrevented;
  };
  return { board, orders, bar, bumped, key };
}

/** The grill bumped `order`'s line: it leaves the station's view. */
const bumpedAway = (order: Parameters<typeof withLines>[0]) =>
  withLines(order, (l) => ({ ...l, status: 'ready' }));

describe('bump bar', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('selects by number and arrows and bumps the selected ticket with Enter', () => {
    const { orders, bar, bumped, key } = setup(3);
    expect(key('2')).toBe(true);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    key('ArrowRight');
    key('ArrowRight');
    expect(bar.selected.get()).toBe(orders[2]?.order_id);
    key('ArrowLeft');
    key('Enter');
    expect(bumped).toEqual([orders[1]?.order_id]);
    // 9 is the bar's key even with three tickets: it selects nothing, and types nothing.
    expect(key('9')).toBe(true);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    expect(key('x')).toBe(false);
  });

  it('moves to the next ticket when the selected one is bumped, and ignores typing', () => {
    const { board, orders, bar, key } = setup(3);
    key('1');
    board.sync([withLines(orders[0]!, (l) => ({ ...l, status: 'ready' })), orders[1]!, orders[2]!]);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    expect(key('3', 'INPUT')).toBe(false);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    bar.stop();
    key('2');
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
  });

  it('bumps once for a held Enter: its repeats do not reach the ticket that moved up', () => {
    vi.useFakeTimers();
    const { board, orders, bar, bumped, key } = setup(3);
    key('1');
    key('Enter');
    board.sync([bumpedAway(orders[0]!), orders[1]!, orders[2]!]);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(33);
      expect(key('Enter', 'BODY', true)).toBe(true);
    }
    expect(bumped).toEqual([orders[0]?.order_id]);
    // A held arrow still moves the selection.
    key('ArrowDown', 'BODY', true);
    expect(bar.selected.get()).toBe(orders[2]?.order_id);
  });

  it('ignores Enter for guardMs after a bump, so a bouncing key bumps one ticket', () => {
    vi.useFakeTimers();
    const { board, orders, bar, bumped, key } = setup(3);
    key('1');
    key('Enter');
    board.sync([bumpedAway(orders[0]!), orders[1]!, orders[2]!]);
    vi.advanceTimersByTime(150);
    expect(key('Enter')).toBe(true);
    vi.advanceTimersByTime(349);
    key('Enter');
    expect(bumped).toEqual([orders[0]?.order_id]);
    vi.advanceTimersByTime(1);
    key('Enter');
    expect(bumped).toEqual([orders[0]?.order_id, orders[1]?.order_id]);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
  });

  it('takes guardMs from its options', () => {
    vi.useFakeTimers();
    const board = new TicketBoard();
    const orders = [0, 1].map(() => kitchenOrder([{ station: 'grill', status: 'pending' }]));
    board.sync(orders);
    const bumped: string[] = [];
    const bar = createBumpBar({
      view: createStationView(board, { stations: ['grill'] }),
      target: null,
      guardMs: 2000,
      onBump: (entry: ViewEntry) => bumped.push(entry.ticket.order_id),
    });
    bar.press('1');
    bar.press('Enter');
    vi.advanceTimersByTime(1999);
    bar.press('Enter');
    expect(bumped).toHaveLength(1);
    vi.advanceTimersByTime(1);
    bar.press('Enter');
    expect(bumped).toHaveLength(2);
  });

  it('keeps working with a select or button focused, and keeps its keys from them', () => {
    const { orders, bar, bumped, key } = setup(3);
    // Enter with nothing selected must not click the focused button either.
    expect(key('Enter', 'BUTTON')).toBe(true);
    expect(key('ArrowDown', 'SELECT')).toBe(true);
    expect(key('ArrowDown', 'SELECT')).toBe(true);
    expect(bar.selected.get()).toBe(orders[1]?.order_id);
    expect(key('Enter', 'SELECT')).toBe(true);
    expect(bumped).toEqual([orders[1]?.order_id]);
    expect(key('1', 'TEXTAREA')).toBe(false);
  });
});
