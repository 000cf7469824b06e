import type { KitchenOrder } from '@kitchen-sync/client/feed';
import { TicketBoard } from '@kitchen-sync/client/feed-views';
import { expect, test } from 'vitest';
import { watchUnroutedLines } from '../src/unroutedLines';

let seq = 0;
const order = (items: Array<{ name: string; station?: string }>): KitchenOrder => {
  seq += 1;
  return {
    order_id: `00000000-0000-4000-8000-00000000000${seq}`,
    order_number: `OFF-${seq}`,
    outlet_id: 1,
    tenant_id: 1,
    status: 'pending',
    items: items.map((item, index) => ({ product_id: index + 1, quantity: 1, ...item })),
    total_amount: '0',
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
    version: 1,
    seq,
    pending: false,
    confirmed_status: 'pending',
    orphaned: false,
  } as KitchenOrder;
};

test('a station screen counts the lines no station gets, and forgets them once done', () => {
  const board = new TicketBoard();
  const shown: Array<string | null> = [];
  const stop = watchUnroutedLines(board, (text) => shown.push(text));
  const routed = order([{ name: 'Sate', station: 'grill' }]);
  const lost = order([
    { name: 'Es teh' },
    { name: 'Kerupuk', station: '' },
    { name: 'Nasi goreng', station: 'Wok' },
  ]);
  board.sync([routed]);
  expect(shown.at(-1)).toBeNull();
  board.sync([routed, lost]);
  expect(shown.at(-1)).toMatch(/^2 item tanpa station \(OFF-2\): .*hanya di Expo/);
  board.sync([routed, { ...lost, status: 'cancelled', version: 2 }]);
  expect(shown.at(-1)).toBeNull();
  stop();
});
