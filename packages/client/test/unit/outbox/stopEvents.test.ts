import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FakeSocket } from '../fakes/fakeSocket.js';
import { makeOrder } from '../fakes/orders.js';
import { socketOutbox } from '../fakes/socketOutbox.js';

describe('OrderOutbox.stop()', () => {
  it('is the last thing listeners hear: an ack that arrived just before it emits nothing after', async () => {
    const socket = new FakeSocket();
    socket.setLocal(true);
    const outbox = socketOutbox(socket);
    const heard: string[] = [];
    let stopped = false;
    outbox.on('delivered', () => heard.push(stopped ? 'delivered after stop' : 'delivered'));
    let acked: () => void = () => {};
    const ackSent = new Promise<void>((resolve) => {
      acked = resolve;
    });
    socket.handler = () => {
      // The ack is in; stop() comes while the outbox is still removing the entry from IndexedDB.
      setImmediate(() => {
        outbox.stop();
        stopped = true;
        acked();
      });
      return { ok: true, seq: 1, duplicate: false };
    };
    await outbox.submit(makeOrder());
    await ackSent;
    // Let the removal and everything after it run out.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.requests).toHaveLength(1);
    expect(heard).toEqual([]);
  });
});
