import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Central's relay upload endpoint alone, on loopback; while down it drops every connection.
 * Its downlink answers "nothing new" while `downlink` is set, else 404 (a central whose
 * downlink view is not routed).
 */
export interface UploadEndpoint {
  url: string;
  up: boolean;
  downlink: boolean;
  /** Event ids central has confirmed. */
  received: Set<string>;
  close(): Promise<void>;
}

export async function startUploadEndpoint(): Promise<UploadEndpoint> {
  const server: Server = createServer((request, response) => {
    if (!endpoint.up) {
      request.socket.destroy();
      return;
    }
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (endpoint.downlink && request.url?.includes('/relay/downlink/')) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ events: [], last_seq: 0, has_more: false }));
        return;
      }
      if (!request.url?.endsWith('/relay/upload/')) {
        response.writeHead(404).end();
        return;
      }
      const { epoch, events } = JSON.parse(body) as {
        epoch: string;
        events: { seq: number; event_id: string }[];
      };
      for (const event of events) endpoint.received.add(event.event_id);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ epoch, last_seq: events.at(-1)?.seq ?? 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint: UploadEndpoint = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    up: false,
    downlink: false,
    received: new Set(),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return endpoint;
}
