import { createServer } from 'node:http';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { useSingleWriteFrames } from '../src/transport/singleWriteFrames.js';
import { closeClients, connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';

let t: TestRelay | undefined;
let io: Server | undefined;
afterEach(async () => {
  closeClients();
  await t?.close();
  t = undefined;
  io?.close();
  io = undefined;
});

interface Encoding {
  _encode(packet: unknown, options: { wsPreEncodedFrame?: Buffer[] }): unknown;
}

describe('broadcast frames', () => {
  it('are encoded once as a single buffer holding the whole WebSocket text frame', () => {
    io = new Server(createServer(), { serveClient: false });
    useSingleWriteFrames(io);
    const adapter = io.of('/').adapter as unknown as Encoding;
    const options: { wsPreEncodedFrame?: Buffer[] } = {};
    adapter._encode({ type: 2, nsp: '/', data: ['event', { seq: 1, note: 'é' }] }, options);
    const frame = options.wsPreEncodedFrame;
    expect(frame).toHaveLength(1);
    const payload = Buffer.from('42["event",{"seq":1,"note":"é"}]');
    // FIN + text opcode, unmasked length, then the Engine.IO message packet itself.
    expect(frame?.[0]).toEqual(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  });

  it('reach every kitchen intact', async () => {
    t = await startRelay();
    const kitchens = await Promise.all(
      ['kds-1', 'kds-2', 'kds-3'].map(async (sub) =>
        connected(t!.url, { token: await tokenFor('kitchen', { sub }) }),
      ),
    );
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const o = order({ notes: 'ünïcödé 🍜' });
    await pos.request('order:publish', o);
    const stored = t.relay.store.eventsAfter('1', 0, 10, null).map((e) => e.envelope);
    for (const k of kitchens) {
      await k.waitFor(() => k.events().length === 1);
      expect(k.events()).toEqual(stored as EventEnvelope[]);
      const [received] = k.events();
      expect((received?.data as { notes?: string } | undefined)?.notes).toBe('ünïcödé 🍜');
    }
  });
});
