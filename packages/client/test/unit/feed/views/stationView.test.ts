import { describe, expect, it } from 'vitest';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { kitchenOrder, next, withLines } from './tickets.js';

const numbers = (list: readonly { ticket: { order_number: string } }[]) =>
  list.map((e) => e.ticket.order_number);

describe('station view', () => {
  it("shows only its stations' lines, grouped by ticket, oldest first", () => {
    const board = new TicketBoard();
    const a = kitchenOrder([
      { station: 'grill', name: 'Sate' },
      { station: 'bar', name: 'Teh' },
    ]);
    const b = kitchenOrder([{ station: 'bar', name: 'Kopi' }]);
    const c = kitchenOrder([
      { station: 'fry', name: 'Tahu' },
      { station: 'grill', name: 'Ayam' },
    ]);
    board.sync([c, b, a]);
    const grill = createStationView(board, { stations: ['grill'] });
    expect(numbers(grill.get())).toEqual([a.order_number, c.order_number]);
    expect(grill.get().map((e) => e.lines.map((l) => l.name))).toEqual([['Sate'], ['Ayam']]);
    const hot = createStationView(board, { stations: ['grill', 'fry'] });
    expect(hot.get().map((e) => e.lines.map((l) => l.name))).toEqual([['Sate'], ['Tahu', 'Ayam']]);
  });

  it('puts rush first and fully held tickets last, held lines at the end of a ticket', () => {
    const board = new TicketBoard();
    const old = kitchenOrder([{ station: 'grill' }]);
    const held = kitchenOrder([{ station: 'grill', status: 'held' }]);
    const mixed = kitchenOrder([
      { station: 'grill', status: 'held', name: 'Later' },
      { station: 'grill', name: 'Now' },
    ]);
    const rush = kitchenOrder([{ station: 'grill' }], { priority: 'rush' });
    const view = createStationView(board, { stations: ['grill'] });
    board.sync([old, held, mixed, rush]);
    expect(numbers(view.get())).toEqual([
      rush.order_number,
      old.order_number,
      mixed.order_number,
      held.order_number,
    ]);
    expect(view.get()[2]?.lines.map((l) => l.name)).toEqual(['Now', 'Later']);
    // Fired: the held ticket takes its place by age.
    board.upsert(withLines(held, (item) => ({ ...item, status: 'pending' })));
    expect(numbers(view.get())).toEqual([
      rush.order_number,
      old.order_number,
      held.order_number,
      mixed.order_number,
    ]);
  });

  it('lets a ticket go once its lines are done and keeps it for recall', () => {
    const board = new TicketBoard();
    const order = kitchenOrder([
      { station: 'grill', line_id: 'g', status: 'pending' },
      { station: 'bar', line_id: 'b', status: 'pending' },
    ]);
    const grill = createStationView(board, { stations: ['grill'] });
    board.sync([order]);
    const bumped = withLines(order, (item) =>
      item.line_id === 'g' ? { ...item, status: 'ready' } : item,
    );
    board.sync([bumped]);
    expect(grill.get()).toEqual([]);
    expect(numbers(grill.recent.get())).toEqual([order.order_number]);
    // Recalled (un-bumped): back on the screen, out of the recall list.
    board.sync([withLines(bumped, (item) => ({ ...item, status: 'preparing' }))]);
    expect(numbers(grill.get())).toEqual([order.order_number]);
    expect(grill.recent.get()).toEqual([]);
  });

  it('keeps a recallable ticket current, so its recall sends the lines as they are now', () => {
    const board = new TicketBoard();
    const order = kitchenOrder([
      { station: 'grill', line_id: 'g', status: 'pending' },
      { station: 'bar', line_id: 'b', status: 'pending' },
    ]);
    const grill = createStationView(board, { stations: ['grill'] });
    board.sync([order]);
    const bumped = withLines(order, (item) =>
      item.line_id === 'g' ? { ...item, status: 'ready', version: 2 } : item,
    );
    board.sync([bumped]);
    expect(grill.recent.get()[0]?.lines.map((l) => l.version)).toEqual([2]);
    // Changed after the bump (here the grill line moves on again, as an expo bump would).
    board.sync([
      withLines(bumped, (item) => (item.line_id === 'g' ? { ...item, version: 3 } : item)),
    ]);
    expect(numbers(grill.recent.get())).toEqual([order.order_number]);
    expect(grill.recent.get()[0]?.lines.map((l) => l.version)).toEqual([3]);
    // Gone from the board (the feed let the finished order go): no longer offered.
    board.remove(order.order_id);
    expect(grill.recent.get()).toEqual([]);
    grill.stop();
  });

  it('does not offer a cancelled or vanished ticket for recall', () => {
    const board = new TicketBoard();
    const a = kitchenOrder([{ station: 'grill' }]);
    const b = kitchenOrder([{ station: 'grill' }]);
    const grill = createStationView(board, { stations: ['grill'] });
    board.sync([a, b]);
    board.sync([next(a, { status: 'cancelled' })]);
    expect(grill.get()).toEqual([]);
    expect(grill.recent.get()).toEqual([]);
  });

  it('includes lines without a station only when asked', () => {
    const board = new TicketBoard();
    board.sync([kitchenOrder([{}])]);
    expect(createStationView(board, { stations: ['grill'] }).get()).toEqual([]);
    expect(
      createStationView(board, { stations: ['grill'], includeUnassigned: true }).get(),
    ).toHaveLength(1);
  });

  it('publishes once per burst and not at all when nothing it shows changed', () => {
    const board = new TicketBoard();
    const grillOrder = kitchenOrder([{ station: 'grill' }]);
    const barOrder = kitchenOrder([{ station: 'bar' }]);
    board.sync([grillOrder, barOrder]);
    const grill = createStationView(board, { stations: ['grill'] });
    const seen: number[] = [];
    grill.subscribe((list) => seen.push(list.length));
    board.sync([grillOrder, next(barOrder, { status: 'preparing' })]);
    // The same orders, rebuilt as the feed does on every burst.
    board.sync([{ ...grillOrder }, { ...next(barOrder, { status: 'preparing' }) }]);
    board.sync([
      grillOrder,
      kitchenOrder([{ station: 'grill' }]),
      kitchenOrder([{ station: 'grill' }]),
    ]);
    expect(seen).toEqual([1, 3]);
  });

  it("does not publish when only another station's line of a shared ticket changed", () => {
    const board = new TicketBoard();
    const order = kitchenOrder([
      { station: 'grill', status: 'pending', line_id: 'g' },
      { station: 'bar', status: 'pending', line_id: 'b' },
    ]);
    board.sync([order]);
    const grill = createStationView(board, { stations: ['grill'] });
    const seen: unknown[] = [];
    grill.subscribe((list) => seen.push(list[0]));
    const barBumped = withLines(order, (line) =>
      line.line_id === 'b' ? { ...line, status: 'ready', version: 2 } : line,
    );
    board.sync([barBumped]);
    expect(seen).toHaveLength(1);
    board.sync([withLines(barBumped, (line) => ({ ...line, status: 'ready', version: 2 }))]);
    expect(seen).toHaveLength(2);
  });
});
