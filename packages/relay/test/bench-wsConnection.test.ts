import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { openWsConnection, type WsConnection } from '../bench/wsConnection.js';

let server: WebSocketServer | undefined;
const connections: WsConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  const closing = server;
  server = undefined;
  if (closing) await new Promise((resolve) => closing.close(resolve));
});

/** A `ws` server on loopback that runs `onConnection` for the one client under test. */
async function serve(onConnection: (socket: import('ws').WebSocket) => void): Promise<number> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', onConnection);
  await new Promise((resolve) => server!.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

function open(
  port: number,
  onFrame: (frame: Buffer) => void,
  onClose: (reason: string) => void = () => {},
): WsConnection {
  const connection = openWsConnection('127.0.0.1', port, '/', { onFrame, onClose });
  connections.push(connection);
  return connection;
}

describe("the load generator's WebSocket client", () => {
  it('hands over every frame whole: small ones read together, one larger than a read', async () => {
    const big = 'x'.repeat(300_000);
    const port = await serve((socket) => {
      for (let i = 0; i < 200; i++) socket.send(`frame ${i}`);
      socket.send('y'.repeat(200));
      socket.send(big);
      socket.send('last');
    });
    const frames: string[] = [];
    const done = new Promise<void>((resolve) => {
      open(port, (frame) => {
        frames.push(frame.toString());
        if (frames.length === 203) resolve();
      });
    });
    await done;
    expect(frames.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => `frame ${i}`));
    expect(frames.slice(200)).toEqual(['y'.repeat(200), big, 'last']);
  });

  it('sends masked text frames the server reads back, of every length encoding', async () => {
    const received: string[] = [];
    const texts = ['hi', 'z'.repeat(1_000), 'w'.repeat(70_000)];
    const all = new Promise<void>((resolve) => {
      void serve((socket) => {
        socket.on('message', (data) => {
          received.push(data.toString());
          if (received.length === texts.length) resolve();
        });
      }).then((port) => {
        const connection = open(port, () => {});
        void connection.ready.then(() => {
          for (const text of texts) connection.send(text);
        });
      });
    });
    await all;
    expect(received).toEqual(texts);
  });

  it('answers a ping with a pong carrying its payload', async () => {
    const pong = new Promise<string>((resolve) => {
      void serve((socket) => {
        socket.on('pong', (data) => resolve(data.toString()));
        socket.ping('are you there');
      }).then((port) => open(port, () => {}));
    });
    expect(await pong).toBe('are you there');
  });

  it('reports the server closing the connection', async () => {
    const port = await serve((socket) => socket.close(1000, 'bye'));
    const reason = await new Promise<string>((resolve) => {
      open(port, () => {}, resolve);
    });
    expect(reason).toBe('closed by the server');
  });

  it('refuses a server that does not switch protocols', async () => {
    const { createServer } = await import('node:http');
    const http = createServer((_, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const connection = open(port, () => {});
    await expect(connection.ready).rejects.toThrow('no WebSocket upgrade: HTTP/1.1 404 Not Found');
    await new Promise((resolve) => http.close(resolve));
  });
});
