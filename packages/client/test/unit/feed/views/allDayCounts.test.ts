import { describe, expect, it } from 'vitest';
import { createAllDayCounts } from '../../../../src/feed/views/allDayCounts.js';
import { createExpoView } from '../../../../src/feed/views/expoView.js';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { kitchenOrder, next, withLines } from './tickets.js';

const summary = (
  list: readonly { name: string; modifiers: readonly string[]; quantity: number }[],
) =>
  list.map(
    (c) => `${c.quantity} ${c.name}${c.modifiers.length ? ` [${c.modifiers.join(', ')}]` : ''}`,
  );

describe('all-day counts', () => {
  it('counts open lines per product and modifiers across the view, most first', () => {
    const board = new TicketBoard();
    const grill = createStationView(board, { stations: ['grill'] });
    const counts = createAllDayCounts(grill);
    board.sync([
      kitchenOrder([
        {
          product_id: 1,
          name: 'Sate',
          quantity: 2,
          station: 'grill',
          modifiers: ['pedas', 'lontong'],
        },
        { product_id: 9, name: 'Teh', quantity: 5, station: 'bar' },
      ]),
      kitchenOrder([
        {
          product_id: 1,
          name: 'Sate',
          quantity: 1,
          station: 'grill',
          modifiers: ['lontong', 'pedas'],
        },
        { product_id: 1, name: 'Sate', quantity: 1, station: 'grill' },
        { product_id: 2, name: 'Ayam', quantity: 4, station: 'grill', status: 'ready' },
      ]),
    ]);
    expect(summary(counts.get())).toEqual(['3 Sate [lontong, pedas]', '1 Sate']);
  });

  it('moves with each event and matches a count made from scratch', () => {
    const board = new TicketBoard();
    const expo = createExpoView(board);
    const counts = createAllDayCounts(expo);
    const a = kitchenOrder([
      { product_id: 1, name: 'Sate', quantity: 2, line_id: 'x' },
      { product_id: 2, name: 'Ayam' },
    ]);
    const b = kitchenOrder([{ product_id: 1, name: 'Sate', quantity: 3 }]);
    board.sync([a, b]);
    expect(summary(counts.get())).toEqual(['5 Sate', '1 Ayam']);
    const aLineReady = withLines(a, (item, i) => (i === 0 ? { ...item, status: 'ready' } : item));
    board.sync([aLineReady, b]);
    expect(summary(counts.get())).toEqual(['3 Sate', '1 Ayam']);
    board.sync([aLineReady, next(b, { status: 'cancelled' })]);
    expect(summary(counts.get())).toEqual(['1 Ayam']);
    board.sync([]);
    expect(counts.get()).toEqual([]);
    // Created on a view that already holds tickets, it starts from them.
    board.sync([a, b]);
    expect(summary(createAllDayCounts(expo).get())).toEqual(summary(counts.get()));
  });

  it('keeps lines of one product id with different names apart', () => {
    const board = new TicketBoard();
    const counts = createAllDayCounts(createExpoView(board));
    // An open-food placeholder: one product id, the dish in the name. And product 101 renamed
    // mid-service: the tickets still open under the old name are counted under it.
    board.sync([
      kitchenOrder([{ product_id: 999, name: 'Birthday cake' }]),
      kitchenOrder([{ product_id: 999, name: 'Extra sambal', quantity: 2 }]),
      kitchenOrder([{ product_id: 101, name: 'Nasi Goreng Kampung' }]),
      kitchenOrder([{ product_id: 101, name: 'Nasi Goreng Spesial', quantity: 2 }]),
    ]);
    expect(summary(counts.get())).toEqual([
      '2 Extra sambal',
      '2 Nasi Goreng Spesial',
      '1 Birthday cake',
      '1 Nasi Goreng Kampung',
    ]);
  });

  it('stops following the view when stopped', () => {
    const board = new TicketBoard();
    const counts = createAllDayCounts(createExpoView(board));
    counts.stop();
    board.sync([kitchenOrder([{}])]);
    expect(counts.get()).toEqual([]);
  });
});
