import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../src/store/EventStore.js';
import { useEagerWebSocketWrites } from '../src/transport/eagerWebSocketWrites.js';
import { kitchenEventRooms, watcherEventRooms } from '../src/transport/rooms.js';
import { createWatcherBroadcasts } from '../src/transport/watcherBroadcasts.js';
import { countWrites, untilTrue } from './webSocketWrites.js';

let http: HttpServer | undefined;
let io: Server | undefined;
const clients: Socket[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const client of clients.splice(0)) client.disconnect();
  io?.close();
  http?.close();
  io = http = undefined;
});

const WATCHERS = watcherEventRooms('1', 't');
const KITCHENS = kitchenEventRooms('1', 't');

const event = (seq: number): StoredEvent => ({
  outlet: '1',
  tenant: 't',
  tsMs: 0,
  envelope: {
    seq,
    event_id: `e-${seq}`,
    type: 'order_updated',
    outlet_id: 1,
    tenant_id: 't',
    data: {},
    ts: '2026-12-06T18:00:00.000Z',
  },
});

/** A Socket.IO server as the relay runs it, with `rooms[i]` joined by client i. */
async function connected(rooms: Array<string | null>) {
  http = createServer();
  io = new Server(http, { serveClient: false });
  useEagerWebSocketWrites(io);
  const servers: ServerSocket[] = [];
  const all = new Promise<void>((resolve) =>
    io!.on('connection', (socket) => {
      servers[Number(socket.handshake.auth.i)] = socket;
      const room = rooms[Number(socket.handshake.auth.i)];
      if (room) socket.join(room);
      if (servers.filter(Boolean).length === rooms.length) resolve();
    }),
  );
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const received = rooms.map((_, i) => {
    const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], auth: { i } });
    clients.push(client);
    const seqs: number[] = [];
    client.on(SOCKET_EVENTS.EVENT, (envelope: { seq: number }) => seqs.push(envelope.seq));
    return seqs;
  });
  await all;
  return { servers, received };
}

describe('createWatcherBroadcasts', () => {
  it('holds the watchers’ events for the batch, then sends them in order as one write each', async () => {
    const { servers, received } = await connected([WATCHERS[0]!, WATCHERS[1]!, KITCHENS[0]!]);
    const writes = servers.slice(0, 2).map(countWrites);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const watchers = createWatcherBroadcasts(io!, 20, (error) => {
      throw error;
    });
    for (const seq of [1, 2, 3]) {
      io!.local.to(KITCHENS).emit(SOCKET_EVENTS.EVENT, event(seq).envelope);
      watchers.add(event(seq));
    }
    // The kitchen has all three while the POS screens have none yet.
    await untilTrue(() => received[2]!.length === 3);
    expect(received.slice(0, 2)).toEqual([[], []]);

    vi.advanceTimersByTime(20);
    await untilTrue(() => received[0]!.length === 3 && received[1]!.length === 3);
    expect(received).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(writes.map((count) => count())).toEqual([1, 1]);
  });

  it('a screen that went live during the batch gets only what its replay did not have', async () => {
    const { servers, received } = await connected([WATCHERS[0]!, null]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const watchers = createWatcherBroadcasts(io!, 20, (error) => {
      throw error;
    });
    watchers.add(event(1));
    watchers.add(event(2));
    // Its replay (or its buffered live events) covered 1 and 2; then it joins the live rooms.
    servers[1]!.join(WATCHERS[0]!);
    watchers.joined(servers[1]!.id);
    watchers.add(event(3));
    vi.advanceTimersByTime(20);
    // One write each: once anything arrived, all of the batch did.
    await untilTrue(() => received[0]!.length === 3 && received[1]!.length > 0);
    expect(received).toEqual([[1, 2, 3], [3]]);

    // The next batch reaches it whole.
    watchers.add(event(4));
    vi.advanceTimersByTime(20);
    await untilTrue(() => received[0]!.length === 4 && received[1]!.length > 1);
    expect(received).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it('sends each event at once when batching is off', async () => {
    const { received } = await connected([WATCHERS[1]!]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const watchers = createWatcherBroadcasts(io!, 0, (error) => {
      throw error;
    });
    watchers.add(event(1));
    watchers.add(event(2));
    await untilTrue(() => received[0]!.length === 2);
    expect(received).toEqual([[1, 2]]);
  });

  it('one event that cannot be sent is reported and the rest of its batch still goes', async () => {
    const { received } = await connected([WATCHERS[0]!]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const errors: unknown[] = [];
    const watchers = createWatcherBroadcasts(io!, 20, (error) => errors.push(error));
    const circular = event(2);
    (circular.envelope.data as Record<string, unknown>).self = circular.envelope.data;
    for (const e of [event(1), circular, event(3)]) watchers.add(e);
    vi.advanceTimersByTime(20);
    await untilTrue(() => received[0]!.length === 2);
    expect(received).toEqual([[1, 3]]);
    expect(errors).toHaveLength(1);
  });
});
