import 'fake-indexeddb/auto';
import type { OrderAck } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { OutboxEntry } from '../../../src/outbox/types.js';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { socketOutbox } from '../fakes/socketOutbox.js';

// After a wipe the relay's new log does not know orders a kitchen still shows; its acks for
// them answer `not_found`. Nothing is left to acknowledge: they are not errors for the staff.
let socket: FakeSocket;
let outbox: OrderOutbox;
const missing = '0190f1e0-0000-7000-8000-00000000dead';
const known = '0190f1e0-0000-7000-8000-00000000beef';

beforeEach(() => {
  socket = new FakeSocket();
  socket.setLocal(true);
  socket.handler = (request) =>
    (request.payload as { order_id: string }).order_id === missing
      ? { ok: false, error: { code: 'not_found', message: 'no such order' } }
      : { ok: true, seq: 1, duplicate: false, version: 2 };
  outbox = socketOutbox(socket);
});

afterEach(() => outbox.stop());

describe('OrderOutbox and acks the relay no longer has an order for', () => {
  it('drops an order:ack answered not_found: not rejected, not delivered, the line moves on', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const delivered: OutboxEntry[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry));
    await outbox.enqueue('order:ack', { order_id: missing } as OrderAck);
    await outbox.enqueue('order:ack', { order_id: known } as OrderAck);
    await outbox.flush();

    expect(socket.requests.map((r) => (r.payload as OrderAck).order_id)).toEqual([missing, known]);
    expect(outbox.pending.get()).toEqual([]);
    expect(outbox.rejected.get()).toEqual([]);
    expect(delivered.map((e) => e.order_id)).toEqual([known]);
    expect(debug.mock.calls.map((call) => call[0])).toEqual([
      '[kitchen-sync] dropped an order:ack for an order the relay no longer has',
    ]);
  });

  it('drops an order:ack the relay answers ok but obsolete, without a delivered event', async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => {});
    socket.handler = () => ({ ok: true, seq: 0, duplicate: false, obsolete: true }) as never;
    const delivered: OutboxEntry[] = [];
    outbox.on('delivered', (entry) => delivered.push(entry));
    await outbox.enqueue('order:ack', { order_id: missing } as OrderAck);
    await outbox.flush();
    expect(outbox.pending.get()).toEqual([]);
    expect(outbox.rejected.get()).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it('still rejects an order:update answered not_found (the kitchen changed something)', async () => {
    await outbox.enqueue('order:update', { order_id: missing, status: 'preparing' });
    await outbox.flush();
    expect(outbox.rejected.get().map((e) => [e.type, e.error.code])).toEqual([
      ['order:update', 'not_found'],
    ]);
  });
});
