import { describe, expect, it } from 'vitest';
import { createExpoView } from '../../../../src/feed/views/expoView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { kitchenOrder, next, withLines } from './tickets.js';

describe('expo view', () => {
  it('shows whole tickets with per-station progress, ready when every line is', () => {
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const order = kitchenOrder([
      { station: 'grill', status: 'ready' },
      { station: 'bar' },
      { station: 'grill' },
    ]);
    board.sync([order]);
    const entry = expo.get()[0];
    expect(entry?.lines).toHaveLength(3);
    expect(entry?.stations).toEqual([
      { station: 'grill', done: 1, total: 2 },
      { station: 'bar', done: 0, total: 1 },
    ]);
    expect(entry?.ready).toBe(false);
    board.sync([withLines(order, (item) => ({ ...item, status: 'ready' }))]);
    expect(expo.get()[0]?.ready).toBe(true);
  });

  it('counts a v1 order ready when the order is, and drops it once completed', () => {
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const order = kitchenOrder([{ station: 'grill' }, { station: 'bar' }]);
    board.sync([order]);
    const ready = next(order, { status: 'ready' });
    board.sync([ready]);
    expect(expo.get()[0]?.ready).toBe(true);
    expect(expo.get()[0]?.stations.map((s) => s.done)).toEqual([1, 1]);
    board.sync([next(ready, { status: 'completed' })]);
    expect(expo.get()).toEqual([]);
  });

  it('tells listeners each entry before and after', () => {
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const order = kitchenOrder([{ station: 'grill' }]);
    const log: string[] = [];
    expo.onEntry((before, after) =>
      log.push(`${before?.ticket.order.status ?? '-'}→${after?.ticket.order.status ?? '-'}`),
    );
    board.sync([order]);
    board.sync([next(order, { status: 'preparing' })]);
    board.remove(order.order_id);
    expect(log).toEqual(['-→pending', 'pending→preparing', 'preparing→-']);
  });

  // A kitchen's ack raises the order's version and changes nothing the screen draws; an entry
  // that kept the old order sent its version with a recall, which the relay answered `stale`.
  it('follows every new version of its order, an ack too, so a recall sends the current one', () => {
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const order = kitchenOrder([{ station: 'grill', status: 'ready' }]);
    board.sync([order]);
    const acked = next(order, { acknowledged_by: ['kitchen-1'] });
    board.sync([acked]);
    expect(expo.get()[0]?.ticket.order.version).toBe(acked.version);
    expect(expo.get()[0]?.ticket.order).toMatchObject({ acknowledged_by: ['kitchen-1'] });
  });
});
