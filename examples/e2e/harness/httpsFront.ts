import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { TlsFiles } from './httpsPages';
import { CLOUD_IP } from './trustedBrowser';

export interface HttpsFront {
  /** `https://<hostName>:<port>` */
  readonly url: string;
  /** Drops every connection and stops listening: the internet is down. */
  close(): Promise<void>;
}

/**
 * TLS in front of a plain-HTTP loopback server (the demo central), as a cloud load balancer
 * would be: the page reaches central at `https://central.cloud.test`, not at loopback HTTP,
 * so a public page's requests to it are public-to-public and never meet Local Network Access.
 * Central builds its WebSocket URL from its own port and scheme; the front rewrites that one
 * URL in responses to its own `wss://` address.
 */
export async function startHttpsFront(
  target: string,
  hostName: string,
  tls: TlsFiles,
  listenIp = CLOUD_IP,
): Promise<HttpsFront> {
  const targetUrl = new URL(target);
  const sockets = new Set<Socket>();
  let ownUrl = '';
  const server: Server = createServer(
    { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) },
    (req, res) => {
      const upstream = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer: IncomingMessage) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.from(
              Buffer.concat(chunks)
                .toString('latin1')
                .replaceAll(`ws://${hostName}:${targetUrl.port}`, ownUrl.replace(/^https/, 'wss')),
              'latin1',
            );
            const headers = { ...answer.headers, 'content-length': String(body.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(body);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
  );
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const upstream = connect(Number(targetUrl.port), targetUrl.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        socket.destroy();
        upstream.destroy();
      });
    }
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, listenIp, resolve));
  ownUrl = `https://${hostName}:${(server.address() as AddressInfo).port}`;
  return {
    url: ownUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
