import type { KitchenOrder } from '@kitchen-sync/client/feed';
import { TicketBoard } from '@kitchen-sync/client/feed-views';
import type { OrderStatus } from '@kitchen-sync/protocol';
import { expect, test } from 'vitest';
import { type CancelNotice, CancelWatch } from '../src/cancelWatch';
import type { ScreenMode } from '../src/mode';

let seq = 0;

function order(status: OrderStatus, station = 'grill'): KitchenOrder {
  seq += 1;
  return {
    order_id: crypto.randomUUID(),
    order_number: `OFF-${seq}-T1`,
    display_number: `A${String(seq).padStart(3, '0')}`,
    outlet_id: 1,
    tenant_id: 1,
    status,
    items: [{ product_id: 108, name: 'Sate Ayam', quantity: 1, station }],
    total_amount: '30000',
    created_at: new Date(Date.UTC(2026, 11, 6, 12, 0, seq)).toISOString(),
    version: 1,
    seq,
    pending: false,
    confirmed_status: status,
    orphaned: false,
  };
}

function cancelled(o: KitchenOrder, reason?: string): KitchenOrder {
  return {
    ...o,
    status: 'cancelled',
    confirmed_status: 'cancelled',
    version: o.version + 1,
    ...(reason === undefined ? {} : { status_reason: reason }),
  };
}

/** A board with a watch for a screen in `mode`; every delivery recorded, one list per burst. */
function watch(mode: ScreenMode, orders: KitchenOrder[]) {
  const board = new TicketBoard();
  for (const o of orders) board.upsert(o);
  const bursts: CancelNotice[][] = [];
  board.listen(new CancelWatch(mode, (notices) => bursts.push(notices)));
  const seen = () =>
    bursts.map((burst) =>
      burst.map((n) => ({ id: n.ticket.order_id, reason: n.reason, started: n.started })),
    );
  return { board, seen };
}

test('a ticket cancelled while it is cooked gives one notice, with the reason, marked started', () => {
  const cooking = order('preparing');
  const { board, seen } = watch({ kind: 'orders' }, [cooking]);
  board.upsert(cancelled(cooking, ' Pelanggan batal '));
  expect(seen()).toEqual([[{ id: cooking.order_id, reason: 'Pelanggan batal', started: true }]]);
  // The same cancel again (a replay, another source) is no news.
  board.upsert({ ...cancelled(cooking, 'Pelanggan batal'), version: 3 });
  expect(seen()).toHaveLength(1);
});

test('a ticket nobody started gives a notice marked not started, without a reason if none came', () => {
  const waiting = order('pending');
  const { board, seen } = watch({ kind: 'expo' }, [waiting]);
  board.upsert(cancelled(waiting));
  expect(seen()).toEqual([[{ id: waiting.order_id, reason: null, started: false }]]);
});

test('cancelled orders loaded as they are (a reload, a snapshot) warn of nothing', () => {
  const { board, seen } = watch({ kind: 'orders' }, [cancelled(order('preparing'), 'x')]);
  board.upsert(cancelled(order('pending'), 'y'));
  expect(seen()).toEqual([]);
});

test('a station screen is told only of tickets with lines at its stations', () => {
  const grill = order('preparing', 'grill');
  const wok = order('preparing', 'wok');
  const { board, seen } = watch({ kind: 'station', stations: ['grill'] }, [grill, wok]);
  board.sync([cancelled(grill, 'Habis'), cancelled(wok, 'Habis')]);
  expect(seen()).toEqual([[{ id: grill.order_id, reason: 'Habis', started: true }]]);
});

test('a handed-out ticket is not cancelled news', () => {
  const done = order('completed');
  const { board, seen } = watch({ kind: 'orders' }, [done]);
  board.upsert(cancelled(done));
  expect(seen()).toEqual([]);
});
