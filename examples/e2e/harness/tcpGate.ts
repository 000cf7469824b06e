import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP forwarder to `targetPort` that can be shut: while shut it resets every
 * connection, as a dead uplink does. One gate per client makes "central is back for the
 * relay but not yet for this tablet" something a test can arrange.
 */
export interface TcpGate {
  url: string;
  open(): void;
  shut(): void;
  close(): Promise<void>;
}

export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  let isOpen = true;
  const live = new Set<Socket>();
  const track = (socket: Socket) => {
    live.add(socket);
    socket.once('close', () => live.delete(socket));
  };
  const server = createServer((client) => {
    if (!isOpen) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('error', () => upstream.destroy());
    upstream.once('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const shut = () => {
    isOpen = false;
    // Kept-alive connections too: nothing gets through a shut gate.
    for (const socket of live) socket.resetAndDestroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    open() {
      isOpen = true;
    },
    shut,
    async close() {
      shut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
