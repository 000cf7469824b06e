import { describe, expect, it } from 'vitest';
import { BOARD_ORDER_FIELDS, boardEnvelope, boardOrder, orderLines } from '../src/index.js';
import { EVENT_ID, ORDER_ID, validOrder } from './fixtures.js';

/** An order as the relay holds it, with everything a guest may have given. */
const guestOrder = () => ({
  ...validOrder({
    tenant_name: 'Warung Bu Sri',
    source: 'kiosk',
    table: 'Meja 9',
    customer_name: 'Budi',
    notes: 'leave at the gate',
    priority: 'rush',
  }),
  display_number: 'A042',
  customer_phone: '+62-811-000',
  delivery: { address: 'Jl. Melati 3' },
  version: 3,
  updated_at: '2025-01-03T08:01:00.000Z',
  status_at: '2025-01-03T08:01:00.000Z',
  status_version: 3,
  status_reason: 'Budi called to cancel',
  acknowledged_by: ['kds-1'],
});

describe('boardOrder', () => {
  it('keeps the fields a pickup board needs and nothing else', () => {
    const view = boardOrder(guestOrder());
    expect(Object.keys(view).sort()).toEqual([...BOARD_ORDER_FIELDS].sort());
    expect(view).toMatchObject({ order_id: ORDER_ID, display_number: 'A042', status: 'pending' });
    const text = JSON.stringify(view);
    for (const secret of ['Budi', '+62-811', 'Melati', 'gate', 'Meja', 'kds-1', 'items']) {
      expect(text).not.toContain(secret);
    }
  });

  it('leaves out what the order does not have, and takes no inherited field', () => {
    const order = Object.assign(Object.create({ customer_name: 'Budi' }), { order_id: ORDER_ID });
    expect(boardOrder(order)).toEqual({ order_id: ORDER_ID });
    expect(boardOrder(null)).toEqual({});
  });

  it('gives an order whose lines are gone, which orderLines reads as none', () => {
    expect(orderLines(boardOrder(guestOrder()) as never)).toEqual([]);
  });
});

describe('boardEnvelope', () => {
  it('keeps the envelope and projects its order', () => {
    const envelope = {
      seq: 7,
      event_id: EVENT_ID,
      type: 'new_order' as const,
      outlet_id: '1',
      tenant_id: '2',
      order_id: ORDER_ID,
      data: guestOrder(),
      ts: '2025-01-03T08:01:00.000Z',
      origin: 'pos-1',
    };
    const board = boardEnvelope(envelope);
    expect({ ...board, data: undefined }).toEqual({ ...envelope, data: undefined });
    expect(board.data).toEqual(boardOrder(envelope.data));
    expect(envelope.data.customer_name).toBe('Budi');
  });
});
