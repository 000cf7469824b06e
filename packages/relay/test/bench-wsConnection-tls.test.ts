import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { openWsConnection, type WsConnection } from '../bench/wsConnection.js';
import { removeTempDirs } from './helpers.js';
import { testCa } from './tlsHelpers.js';

let server: Server | undefined;
const connections: WsConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  const closing = server;
  server = undefined;
  if (closing) {
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  }
  removeTempDirs();
});

/** A `wss://` echo server on loopback with a certificate from a fresh test CA. */
async function serveTls() {
  const ca = await testCa();
  const pair = await ca.issue();
  server = createServer({ cert: pair.cert, key: pair.key });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(`echo ${data.toString()}`));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, caPem: ca.caPem };
}

describe("the load generator's WebSocket client over TLS", () => {
  it('talks wss:// to a server whose certificate chains to the given CA', async () => {
    const { port, caPem } = await serveTls();
    const frames: string[] = [];
    const echoed = new Promise<void>((resolve) => {
      const connection = openWsConnection(
        '127.0.0.1',
        port,
        '/',
        {
          onFrame: (frame) => {
            frames.push(frame.toString());
            if (frames.length === 2) resolve();
          },
          onClose: () => {},
        },
        { ca: caPem },
      );
      connections.push(connection);
      void connection.ready.then(() => {
        connection.send('one');
        connection.send('x'.repeat(70_000));
      });
    });
    await echoed;
    expect(frames).toEqual(['echo one', `echo ${'x'.repeat(70_000)}`]);
  });

  it('refuses a server whose certificate another CA issued', async () => {
    const { port } = await serveTls();
    const stranger = await testCa();
    const connection = openWsConnection(
      '127.0.0.1',
      port,
      '/',
      { onFrame: () => {}, onClose: () => {} },
      { ca: stranger.caPem },
    );
    connections.push(connection);
    await expect(connection.ready).rejects.toThrow(/self-signed certificate in certificate chain/);
  });
});
