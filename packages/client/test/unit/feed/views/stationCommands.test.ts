import { describe, expect, it } from 'vitest';
import { bumpLines, recallLines } from '../../../../src/feed/views/stationCommands.js';
import { createStationView } from '../../../../src/feed/views/stationView.js';
import { TicketBoard } from '../../../../src/feed/views/ticketBoard.js';
import { kitchenOrder, withLines } from './tickets.js';

function recordingOutbox() {
  const sent: Array<{ type: string; payload: Record<string, unknown> }> = [];
  return {
    sent,
    enqueue: async (type: string, payload: Record<string, unknown>) => {
      sent.push({ type, payload });
      return {} as never;
    },
  };
}

describe('station commands', () => {
  it("bumps the station's lines still to make, with their versions, and leaves held ones", async () => {
    const board = new TicketBoard();
    const order = kitchenOrder([
      { station: 'grill', status: 'pending', line_id: 'a' },
      { station: 'grill', status: 'held', line_id: 'b' },
      { station: 'grill', status: 'ready', line_id: 'c' },
      { station: 'bar', status: 'pending', line_id: 'd' },
    ]);
    board.sync([order]);
    const entry = createStationView(board, { stations: ['grill'] }).get()[0];
    const outbox = recordingOutbox();
    expect(entry && (await bumpLines(outbox as never, entry))).toBe(1);
    expect(outbox.sent).toEqual([
      {
        type: 'order:item_update',
        payload: { order_id: order.order_id, line_id: 'a', status: 'ready', version: 1 },
      },
    ]);
  });

  it("recalls the station's ready lines", async () => {
    const board = new TicketBoard();
    const order = kitchenOrder([{ station: 'grill', status: 'pending', line_id: 'a' }]);
    board.sync([order]);
    const view = createStationView(board, { stations: ['grill'] });
    board.sync([withLines(order, (line) => ({ ...line, status: 'ready', version: 2 }))]);
    const bumped = view.recent.get()[0];
    const outbox = recordingOutbox();
    expect(bumped && (await recallLines(outbox as never, bumped))).toBe(1);
    expect(outbox.sent).toEqual([
      { type: 'order:recall', payload: { order_id: order.order_id, line_id: 'a', version: 2 } },
    ]);
  });
});
