import type { PublishAck } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BenchSocket } from '../bench/benchSocket.js';
import { readEventFields } from '../bench/eventFrame.js';
import { order, startRelay, type TestRelay, tokenFor } from './helpers.js';

let t: TestRelay;
const sockets: BenchSocket[] = [];
beforeEach(async () => {
  t = await startRelay();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await t.close();
});

async function open(role: 'pos' | 'kitchen', clientId: string): Promise<BenchSocket> {
  const socket = await BenchSocket.connect(t.url, {
    token: await tokenFor(role, { sub: clientId }),
    clientId,
  });
  sockets.push(socket);
  return socket;
}

describe("the load generator's Socket.IO client, against the real relay", () => {
  it('connects with a token, publishes with an ack, and receives the event frame', async () => {
    const kitchen = await open('kitchen', 'kds-1');
    expect(kitchen.caughtUp).toMatchObject({ seq: 0 });
    const received = new Promise<Buffer>((resolve) => {
      kitchen.onEvent = resolve;
    });
    const pos = await open('pos', 'pos-1');
    const o = order();

    const ack = (await pos.emitWithAck('order:publish', o)) as PublishAck;

    expect(ack).toEqual({ ok: true, seq: 1, duplicate: false });
    expect(pos.pendingAcks).toBe(0);
    expect(readEventFields(await received)).toEqual({
      seq: 1,
      type: 'new_order',
      order_id: o.order_id,
    });
  });

  it('gives each emit its own ack, matched by id', async () => {
    const pos = await open('pos', 'pos-1');
    const first = order();
    const acks = await Promise.all([
      pos.emitWithAck('order:publish', first),
      pos.emitWithAck('order:publish', order()),
      pos.emitWithAck('order:publish', first),
    ]);
    expect(acks).toEqual([
      { ok: true, seq: 1, duplicate: false },
      { ok: true, seq: 2, duplicate: false },
      { ok: true, seq: 1, duplicate: true },
    ]);
  });

  it('rejects when the relay refuses the token', async () => {
    await expect(
      BenchSocket.connect(t.url, { token: 'not-a-jwt', clientId: 'intruder' }),
    ).rejects.toThrow(/intruder: connect refused: .*unauthorized/);
  });
});
