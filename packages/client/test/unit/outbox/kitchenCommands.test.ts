import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { KitchenSyncError } from '../../../src/errors.js';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { ManualTimers } from '../fakes/manualTimers.js';
import { until } from '../fakes/until.js';

let outbox: OrderOutbox | null = null;
afterEach(() => outbox?.stop());

function open(socket: FakeSocket): OrderOutbox {
  const timers = new ManualTimers();
  outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    timers,
    now: timers.now,
    locks: null,
    channel: null,
    socket,
  });
  return outbox;
}

describe('OrderOutbox: v1.1 kitchen commands', () => {
  it('queues line bumps, holds, fires, recalls and rushes in order, each with an event_id', async () => {
    const socket = new FakeSocket();
    socket.setLocal(true);
    socket.handler = () => ({ ok: true, seq: 1, version: 2, duplicate: false });
    const queue = open(socket);
    const orderId = crypto.randomUUID();
    await queue.enqueue('order:rush', { order_id: orderId });
    await queue.enqueue('order:hold', { order_id: orderId, course: 2 });
    await queue.enqueue('order:item_update', {
      order_id: orderId,
      line_id: `${orderId}:0`,
      status: 'ready',
      version: 1,
    });
    await queue.enqueue('order:fire', { order_id: orderId, course: 2 });
    await queue.enqueue('order:recall', { order_id: orderId, line_id: `${orderId}:0` });
    await queue.flush();
    await until(queue.pending, (list) => list.length === 0);
    expect(socket.requests.map((r) => r.type)).toEqual([
      'order:rush',
      'order:hold',
      'order:item_update',
      'order:fire',
      'order:recall',
    ]);
    for (const request of socket.requests) {
      expect((request.payload as { event_id?: string }).event_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('refuses a line bump the protocol does not allow', async () => {
    const queue = open(new FakeSocket());
    const error = (await queue
      .enqueue('order:item_update', {
        order_id: crypto.randomUUID(),
        line_id: 'x',
        status: 'held' as 'ready',
      })
      .catch((e) => e)) as KitchenSyncError;
    expect(error.code).toBe('invalid_payload');
    expect(queue.pending.get()).toEqual([]);
  });
});
