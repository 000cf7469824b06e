import type { OrderStatus } from '@kitchen-sync/protocol';
import { KITCHEN_LIMITS } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KitchenOrder } from '../../../../src/feed/types.js';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { kitchenOrder, next, withLines } from './tickets.js';

const numbers = (list: readonly { ticket: { order_number: string } }[]) =>
  list.map((e) => e.ticket.order_number);

describe('station view', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

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

  it('matches stations ignoring case and surrounding spaces: a POS\'s "Wok" is the wok screen\'s', () => {
    const board = new TicketBoard();
    const a = kitchenOrder([
      { station: 'Wok', name: 'Nasi goreng' },
      { station: ' WOK ', name: 'Mie goreng' },
      { station: 'woks', name: 'Kwetiau' },
      { station: ' ', name: 'Es teh' },
    ]);
    board.sync([a]);
    const wok = createStationView(board, { stations: ['wok'] });
    expect(wok.get().map((e) => e.lines.map((l) => l.name))).toEqual([
      ['Nasi goreng', 'Mie goreng'],
    ]);
    // The screen's own spelling does not matter either; blank is no station.
    const shouted = createStationView(board, { stations: ['WOK '], includeUnassigned: true });
    expect(shouted.get().map((e) => e.lines.map((l) => l.name))).toEqual([
      ['Nasi goreng', 'Mie goreng', 'Es teh'],
    ]);
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

  it('rebuilds recent after a reload from tickets bumped within the recall window', () => {
    const now = Date.UTC(2026, 0, 1, 13, 0, 0);
    const ago = (ms: number) => new Date(now - ms).toISOString();
    // The orders as a reloaded feed delivers them: grill lines ready at the time of the bump.
    const bumpedAt = (order: KitchenOrder, at: string, status: OrderStatus) =>
      next(
        withLines(order, (item) =>
          item.station === 'grill' ? { ...item, status: 'ready', status_at: at } : item,
        ),
        { status },
      );
    const lines = [
      { station: 'grill', status: 'pending' },
      { station: 'bar', status: 'pending' },
    ] as const;
    const recentOrder = bumpedAt(kitchenOrder([...lines]), ago(2 * 60_000), 'preparing');
    const stale = bumpedAt(
      kitchenOrder([{ station: 'grill', status: 'pending' }]),
      ago(20 * 60_000),
      'ready',
    );
    const cancelled = bumpedAt(kitchenOrder([...lines]), ago(60_000), 'cancelled');
    const open = kitchenOrder([...lines]);
    const board = new TicketBoard();
    const grill = createStationView(board, { stations: ['grill'], now: () => now });
    board.sync([stale, recentOrder, cancelled, open]);
    expect(numbers(grill.get())).toEqual([open.order_number]);
    expect(numbers(grill.recent.get())).toEqual([recentOrder.order_number]);
    // A view made on a board that already holds them (the feed came first) sees the same.
    const late = createStationView(board, { stations: ['grill'], now: () => now });
    expect(numbers(late.recent.get())).toEqual([recentOrder.order_number]);
    // A live bump still goes to the front; the feed's next bursts add no duplicate.
    const bumped = bumpedAt(open, ago(0), 'preparing');
    board.sync([stale, recentOrder, cancelled, bumped]);
    const expected = [bumped.order_number, recentOrder.order_number];
    expect(numbers(grill.recent.get())).toEqual(expected);
    board.sync([{ ...stale }, next(recentOrder, {}), { ...cancelled }, next(bumped, {})]);
    expect(numbers(grill.recent.get())).toEqual(expected);
    expect(numbers(late.recent.get())).toEqual(expected);
  });

  it('takes tickets found bumped newest first, within the recall window, up to recallSize', () => {
    const now = Date.UTC(2026, 0, 1, 13, 0, 0);
    const window = KITCHEN_LIMITS.RECALL_WINDOW_MS;
    const bumped = (agoMs: number) =>
      withLines(kitchenOrder([{ station: 'grill', status: 'pending' }]), (item) => ({
        ...item,
        status: 'ready',
        status_at: new Date(now - agoMs).toISOString(),
      }));
    const [edge, out, newest, older, oldest] = [
      bumped(window),
      bumped(window + 1),
      bumped(1000),
      bumped(60_000),
      bumped(120_000),
    ];
    const board = new TicketBoard();
    // No `now` given: the view reads the clock, here a fake one set after it was made.
    const grill = createStationView(board, { stations: ['grill'], recallSize: 3 });
    vi.useFakeTimers({ now });
    board.sync([older, edge, out, newest]);
    expect(numbers(grill.recent.get())).toEqual([newest, older, edge].map((o) => o.order_number));
    board.upsert(oldest);
    expect(numbers(grill.recent.get())).toEqual([newest, older, oldest].map((o) => o.order_number));
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
