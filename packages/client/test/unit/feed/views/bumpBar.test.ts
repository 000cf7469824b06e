import { describe, expect, it } from 'vitest';
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
  const key = (k: string, tagName = 'BODY') => {
    const event = new Event('keydown', { cancelable: true });
    Object.assign(event, { key: k });
    Object.defineProperty(event, 'target', { value: { tagName } });
    target.dispatchEvent(event);
    return event.defaultPrevented;
  };
  return { board, orders, bar, bumped, key };
}

describe('bump bar', () => {
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
    expect(key('9')).toBe(false);
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
});
