import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketLike } from '../../src/socket/centralTransport.js';
import { createSocketService } from '../../src/socket/socketService.js';

// A server that accepts TCP and never answers the upgrade: the WebSocket stays CONNECTING.
let server: Server | undefined;
const held: Socket[] = [];

afterEach(async () => {
  for (const socket of held.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function silentServer(): Promise<string> {
  server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/outlet/1/`;
}

describe('central transport with the ws package', () => {
  it('stop() while the socket is still connecting closes it without an uncaught error', async () => {
    const url = await silentServer();
    const opened: WebSocket[] = [];
    const service = createSocketService({
      outletId: 1,
      centralWsUrl: url,
      WebSocket: (u) => {
        const ws = new WebSocket(u);
        opened.push(ws);
        return ws as unknown as WebSocketLike;
      },
    });
    service.start();
    expect(opened[0]?.readyState).toBe(WebSocket.CONNECTING);
    // ws reports "closed before the connection was established" as an `error` event on the
    // next tick; with no listener left, Node throws it and the process dies.
    const uncaught: unknown[] = [];
    let record = (error: unknown): void => void uncaught.push(error);
    // The throw happens before ws emits `close`: settle on whichever comes first.
    const settled = new Promise<void>((resolve) => {
      opened[0]?.once('close', () => resolve());
      record = (error) => {
        uncaught.push(error);
        resolve();
      };
    });
    process.prependListener('uncaughtException', record);
    try {
      service.stop();
      await settled;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.removeListener('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.readyState).toBe(WebSocket.CLOSED);
  });
});
