import 'fake-indexeddb/auto';
import type { OrderState } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { RequestAck } from '../../../src/socket/types.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { makeOrder } from '../fakes/orders.js';
import { until } from '../fakes/until.js';

// The relay answers a v1.1 command whose `version` is no longer current with
// `{ ok: true, duplicate: true, stale: true, order }` and changes nothing. When the line is not
// where the command wanted it, that is a bump (or recall) that did not happen: the outbox must
// keep it where the station screen can show it and send it again.
const outboxes: OrderOutbox[] = [];
afterEach(() => {
  for (const o of outboxes.splice(0)) o.stop();
});

function open(socket: FakeSocket, indexedDB = new IDBFactory()): OrderOutbox {
  const timers = new ManualTimers();
  const outbox = createOrderOutbox({
    indexedDB,
    timers,
    now: timers.now,
    locks: null,
    channel: null,
    socket,
  });
  outboxes.push(outbox);
  return outbox;
}

const order = makeOrder();
const ORDER_ID = order.order_id;

/** The relay's order with line `g` at `status` and `version` (the order at `version + 4`). */
function relayOrder(status: string, version: number, orderStatus = 'preparing'): OrderState {
  return {
    ...order,
    status: orderStatus,
    version: version + 4,
    items: [
      {
        product_id: 1,
        name: 'Burger',
        quantity: 1,
        line_id: 'g',
        status,
        version,
        status_at: '2026-01-01T12:00:00.000Z',
      },
    ],
  } as OrderState;
}

const staleWith = (state: OrderState): RequestAck =>
  ({
    ok: true,
    seq: 0,
    version: state.version,
    duplicate: true,
    stale: true,
    order: state,
  }) as RequestAck;
const applied: RequestAck = { ok: true, seq: 9, version: 9, duplicate: false } as RequestAck;

/** A socket that answers each request with the next of `answers`. */
function relayAnswering(...answers: RequestAck[]): FakeSocket {
  const socket = new FakeSocket();
  socket.setLocal(true);
  socket.handler = () => answers.shift() ?? applied;
  return socket;
}

async function settle(outbox: OrderOutbox): Promise<void> {
  await outbox.flush();
  await until(outbox.pending, (list) => list.length === 0);
}

const bump = { order_id: ORDER_ID, line_id: 'g', status: 'ready' as const, version: 2 };

describe('OrderOutbox: commands answered stale', () => {
  it('keeps a bump the relay did not apply in rejected, code stale, with the order that won', async () => {
    // Another screen recalled the line meanwhile: it is preparing again, at version 3.
    const won = relayOrder('preparing', 3);
    const socket = relayAnswering(staleWith(won));
    const outbox = open(socket);
    const heard: Array<[string, number]> = [];
    outbox.on('rejected', (entry) => heard.push(['rejected', entry.id]));
    outbox.on('delivered', (entry) => heard.push(['delivered', entry.id]));
    const entry = await outbox.enqueue('order:item_update', bump);
    const next = await outbox.enqueue('order:rush', { order_id: ORDER_ID });
    await settle(outbox);

    expect(outbox.rejected.get()).toEqual([
      expect.objectContaining({
        id: entry.id,
        type: 'order:item_update',
        payload: expect.objectContaining({ version: 2 }),
        error: expect.objectContaining({ code: 'stale', order: won }),
      }),
    ]);
    // The line moved on: the rush behind it went.
    expect(heard).toEqual([
      ['rejected', entry.id],
      ['delivered', next.id],
    ]);
  });

  it('counts a stale answer as delivered when the line is already as asked (two screens bumped it)', async () => {
    const socket = relayAnswering(staleWith(relayOrder('ready', 3)));
    const outbox = open(socket);
    await outbox.enqueue('order:item_update', bump);
    await settle(outbox);
    expect(outbox.rejected.get()).toEqual([]);
  });

  it.each<[string, boolean, Record<string, unknown>, OrderState]>([
    ['a line recall of a line still ready', true, { line_id: 'g' }, relayOrder('ready', 3)],
    ['a line recall of a line already back', false, { line_id: 'g' }, relayOrder('preparing', 3)],
    ['a ticket recall of a ticket still completed', true, {}, relayOrder('ready', 3, 'completed')],
    ['a ticket recall of a ticket already back', false, {}, relayOrder('preparing', 3)],
    [
      'a start of a line someone bumped ready',
      false,
      { status: 'preparing' },
      relayOrder('ready', 3),
    ],
    ['a start of a line someone held', true, { status: 'preparing' }, relayOrder('held', 3)],
  ])('%s: kept in rejected = %s', async (_name, kept, fields, won) => {
    const socket = relayAnswering(staleWith(won));
    const outbox = open(socket);
    const recall = !('status' in fields);
    await outbox.enqueue((recall ? 'order:recall' : 'order:item_update') as 'order:recall', {
      order_id: ORDER_ID,
      version: 2,
      ...(recall ? {} : { line_id: 'g' }),
      ...fields,
    });
    await settle(outbox);
    expect(outbox.rejected.get().map((e) => e.error.code)).toEqual(kept ? ['stale'] : []);
  });

  it('retry sends it again on the version the relay gave, under the same event_id', async () => {
    const socket = relayAnswering(staleWith(relayOrder('preparing', 3)), applied);
    const outbox = open(socket);
    const entry = await outbox.enqueue('order:item_update', bump);
    await settle(outbox);
    const [stale] = outbox.rejected.get();

    await outbox.retry(stale!.id);
    await settle(outbox);

    const sent = socket.requests.map((r) => r.payload as { version: number; event_id: string });
    expect(sent.map((p) => p.version)).toEqual([2, 3]);
    expect(sent[1]!.event_id).toBe(entry.payload.event_id);
    expect(outbox.rejected.get()).toEqual([]);
  });

  it('an expo recall goes again with the order version', async () => {
    const won = relayOrder('ready', 3, 'completed');
    const socket = relayAnswering(staleWith(won), applied);
    const outbox = open(socket);
    await outbox.enqueue('order:recall', { order_id: ORDER_ID, version: 5 });
    await settle(outbox);
    await outbox.retry(outbox.rejected.get()[0]!.id);
    await settle(outbox);
    const versions = socket.requests.map((r) => (r.payload as { version: number }).version);
    expect(versions).toEqual([5, won.version]);
  });

  it('keeps the stale entry and its order across a reload', async () => {
    const indexedDB = new IDBFactory();
    const won = relayOrder('preparing', 3);
    const first = open(relayAnswering(staleWith(won)), indexedDB);
    await first.enqueue('order:item_update', bump);
    await settle(first);
    first.stop();

    const reloaded = open(relayAnswering(), indexedDB);
    await reloaded.ready;
    expect(reloaded.rejected.get()).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ code: 'stale', order: won }) }),
    ]);
  });
});

// Protocol v1.2: an expo screen's ticket step names the order's version as it showed it. The
// second step of a double tap (ready → completed on one look) comes back stale with the ticket
// still ready: that hand-out did not happen and must not count as delivered.
describe('OrderOutbox: order:update with the version the screen saw', () => {
  const step = { order_id: ORDER_ID, status: 'completed' as const, version: 6 };

  it('sends the version as given, and no version when none was given', async () => {
    const socket = relayAnswering(applied, applied);
    const outbox = open(socket);
    await outbox.enqueue('order:update', step);
    await outbox.enqueue('order:update', { order_id: ORDER_ID, status: 'cancelled' });
    await settle(outbox);
    const sent = socket.requests.map((r) => [r.type, r.payload as Record<string, unknown>]);
    expect(sent).toEqual([
      ['order:update', expect.objectContaining({ status: 'completed', version: 6 })],
      ['order:update', expect.not.objectContaining({ version: expect.anything() })],
    ]);
  });

  it('keeps a step past the status the relay has in rejected, code stale, with its order', async () => {
    const won = relayOrder('ready', 3, 'ready');
    const socket = relayAnswering(staleWith(won), applied);
    const outbox = open(socket);
    const delivered: number[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry.id));
    const entry = await outbox.enqueue('order:update', step);
    await settle(outbox);

    expect(delivered).toEqual([]);
    expect(outbox.rejected.get()).toEqual([
      expect.objectContaining({
        id: entry.id,
        type: 'order:update',
        error: expect.objectContaining({ code: 'stale', order: won }),
      }),
    ]);
    // Sent again on purpose, it goes on the version the relay gave.
    await outbox.retry(entry.id);
    await settle(outbox);
    const versions = socket.requests.map((r) => (r.payload as { version: number }).version);
    expect(versions).toEqual([6, won.version]);
  });
});
