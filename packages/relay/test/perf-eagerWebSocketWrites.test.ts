import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { useEagerWebSocketWrites } from '../src/transport/eagerWebSocketWrites.js';

let http: HttpServer | undefined;
let io: Server | undefined;
let client: Socket | undefined;
afterEach(() => {
  client?.disconnect();
  io?.close();
  http?.close();
  client = io = http = undefined;
});

/** A bare Socket.IO server and one WebSocket client in room `k`, with or without the patch. */
async function roomOfOne(eager: boolean): Promise<{ server: ServerSocket; received: unknown[] }> {
  http = createServer();
  io = new Server(http, { serveClient: false });
  if (eager) useEagerWebSocketWrites(io);
  const joined = new Promise<ServerSocket>((resolve) =>
    io!.on('connection', (socket) => {
      socket.join('k');
      resolve(socket);
    }),
  );
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  const received: unknown[] = [];
  client.on('e', (value: unknown) => received.push(value));
  return { server: await joined, received };
}

const waitFor = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
};

/** engine.io's queue of packets not yet handed to the transport. */
const queued = (socket: ServerSocket) =>
  (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;

describe('broadcasts to a socket whose previous write has not called back', () => {
  // Without the patch two of the three wait for the first write's callback: what it changes.
  it.each([
    { eager: true, waiting: 0 },
    { eager: false, waiting: 2 },
  ])(
    'go to the socket at once (patched: $eager, waiting in engine.io: $waiting)',
    async ({ eager, waiting }) => {
      const { server, received } = await roomOfOne(eager);
      for (let i = 1; i <= 3; i++) io!.to('k').emit('e', i);
      expect(queued(server)).toBe(waiting);
      await waitFor(() => received.length === 3);
      expect(received).toEqual([1, 2, 3]);
    },
  );

  it('still wait in engine.io while the connection is backed up, and all arrive in order', async () => {
    const { server, received } = await roomOfOne(true);
    // The client stops reading: the kernel buffers fill, then Node's, then engine.io holds on.
    const raw = (
      client!.io.engine.transport as unknown as {
        ws: { _socket: { pause(): void; resume(): void } };
      }
    ).ws._socket;
    raw.pause();
    const big = 'x'.repeat(1 << 20);
    let sent = 0;
    while (queued(server) === 0 && sent < 200) {
      io!.to('k').emit('e', `${sent++}:${big}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(queued(server)).toBeGreaterThan(0);
    raw.resume();
    await waitFor(() => received.length === sent);
    expect(received.map((value) => Number(String(value).split(':')[0]))).toEqual(
      Array.from({ length: sent }, (_, i) => i),
    );
  }, 30_000);
});
