import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { withCorkedWebSockets } from '../src/transport/corkedBroadcasts.js';
import { useEagerWebSocketWrites } from '../src/transport/eagerWebSocketWrites.js';
import { countWrites, untilTrue } from './webSocketWrites.js';

let http: HttpServer | undefined;
let io: Server | undefined;
const clients: Socket[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
  io?.close();
  http?.close();
  io = http = undefined;
});

/** A Socket.IO server (eager writes, as the relay runs) and `count` clients in room `k`. */
async function room(count: number, transports = ['websocket', 'websocket']) {
  http = createServer();
  io = new Server(http, { serveClient: false });
  useEagerWebSocketWrites(io);
  const servers: ServerSocket[] = [];
  const joined = new Promise<void>((resolve) =>
    io!.on('connection', (socket) => {
      socket.join('k');
      servers.push(socket);
      if (servers.length === count) resolve();
    }),
  );
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const received: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const client = connect(`http://127.0.0.1:${port}`, {
      transports: [transports[i] ?? 'websocket'],
    });
    const values: unknown[] = [];
    client.on('e', (value: unknown) => values.push(value));
    clients.push(client);
    received.push(values);
  }
  await joined;
  return { servers, received };
}

describe('withCorkedWebSockets', () => {
  // Uncorked, each of the three frames is a write of its own: what corking changes.
  it.each([
    { corked: true, writes: 1 },
    { corked: false, writes: 3 },
  ])(
    'a batch of three events leaves each connection in $writes write(s) (corked: $corked)',
    async ({ corked, writes }) => {
      const { servers, received } = await room(2);
      const counters = servers.map(countWrites);
      const deliver = () => {
        for (let i = 1; i <= 3; i++) io!.to('k').emit('e', i);
      };
      if (corked) withCorkedWebSockets(io!, ['k'], deliver);
      else deliver();
      await untilTrue(() => received.every((values) => values.length === 3));
      expect(received).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(counters.map((count) => count())).toEqual([writes, writes]);
    },
  );

  it('uncorks every connection when delivery throws, so later events still flow', async () => {
    const { received } = await room(2);
    expect(() =>
      withCorkedWebSockets(io!, ['k'], () => {
        io!.to('k').emit('e', 1);
        throw new Error('hook failed');
      }),
    ).toThrow('hook failed');
    io!.to('k').emit('e', 2);
    await untilTrue(() => received.every((values) => values.length === 2));
    expect(received).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('leaves a long-polling client alone and delivers to it too', async () => {
    const { received } = await room(2, ['polling', 'websocket']);
    withCorkedWebSockets(io!, ['k'], () => {
      io!.to('k').emit('e', 1);
      io!.to('k').emit('e', 2);
    });
    await untilTrue(() => received.every((values) => values.length === 2));
    expect(received).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});
