import { describe, expect, it } from 'vitest';
import { toTicket } from '../../../../src/feed/views/ticket.js';
import { kitchenOrder } from './tickets.js';

describe('toTicket', () => {
  it('derives stable line ids and statuses from a v1 order', () => {
    const order = kitchenOrder([{ station: 'grill' }, {}], { status: 'preparing' });
    const ticket = toTicket(order);
    expect(ticket.lines.map((l) => [l.line_id, l.station, l.status])).toEqual([
      [`${order.order_id}:0`, 'grill', 'preparing'],
      [`${order.order_id}:1`, '', 'preparing'],
    ]);
    expect(toTicket(order).lines.map((l) => l.line_id)).toEqual(ticket.lines.map((l) => l.line_id));
  });

  it('reads v1.1 line ids, line statuses, versions, courses and holds', () => {
    const order = kitchenOrder(
      [
        { line_id: 'a', status: 'ready', course: 1 },
        { line_id: 'b', status: 'held', course: 2, fire_at: '2026-01-01T12:30:00.000Z' },
      ],
      { status: 'preparing' },
    );
    const lines = toTicket(order).lines;
    expect(lines.map((l) => [l.line_id, l.status, l.held, l.course, l.version, l.fire_at])).toEqual(
      [
        ['a', 'ready', false, 1, 1, null],
        ['b', 'held', true, 2, 1, '2026-01-01T12:30:00.000Z'],
      ],
    );
  });

  it('puts every line of a cancelled order at cancelled, and closes completed ones', () => {
    const items = [{ status: 'pending' }, { status: 'ready' }];
    const cancelled = toTicket(kitchenOrder(items, { status: 'cancelled' }));
    expect(cancelled.open).toBe(false);
    expect(cancelled.lines.map((l) => l.status)).toEqual(['cancelled', 'cancelled']);
    expect(toTicket(kitchenOrder(items, { status: 'completed' })).open).toBe(false);
    expect(toTicket(kitchenOrder([{}], { status: 'ready' })).lines[0]?.status).toBe('ready');
  });

  it('marks rush orders and reads the creation time', () => {
    const ticket = toTicket(
      kitchenOrder([{}], { priority: 'rush', created_at: '2026-01-01T12:00:00.000Z' }),
    );
    expect(ticket.rush).toBe(true);
    expect(ticket.created_ms).toBe(Date.UTC(2026, 0, 1, 12));
  });
});
