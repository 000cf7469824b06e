import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
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
  // The device picks the suite, as on the relay's own server.
  server = createServer({ cert: pair.cert, key: pair.key, honorCipherOrder: false });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(`echo ${data.toString()}`));
  });
  // The suite each connection agreed on, as the relay (a default Node https server) sees it.
  const ciphers: string[] = [];
  server.on('secureConnection', (socket: TLSSocket) => {
    ciphers.push(socket.getCipher().standardName);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, caPem: ca.caPem, ciphers };
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

  it('agrees on the suite a browser would (AES-128-GCM), not the Node client default', async () => {
    const { port, caPem, ciphers } = await serveTls();
    const connection = openWsConnection(
      '127.0.0.1',
      port,
      '/',
      { onFrame: () => {}, onClose: () => {} },
      { ca: caPem },
    );
    connections.push(connection);
    await connection.ready;
    expect(ciphers).toEqual(['TLS_AES_128_GCM_SHA256']);
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
