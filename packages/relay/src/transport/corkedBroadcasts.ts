import type { Server } from 'socket.io';

/** The parts of engine.io's clients this touches (private API, engine.io 6). */
interface EngineClient {
  transport: { name: string; socket?: { _socket?: Corkable } };
}

interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

/**
 * Runs `deliver` with every WebSocket connection corked, so the frames of a commit batch of
 * several events leave each connection as one write. Over TLS a second write issued while the
 * first is still pending waits for Node's write callback in the next loop iteration; corked,
 * the batch goes out in the same tick as one TLS write (and over TCP as one send).
 */
export function withCorkedWebSockets(io: Server, deliver: () => void): void {
  // engine.io keeps its clients in a protected map; reading it is the only way to reach them all.
  const engine = io.engine as unknown as { clients: Record<string, EngineClient> };
  const clients = Object.values(engine.clients);
  const corked: Corkable[] = [];
  for (const client of clients) {
    const socket =
      client.transport.name === 'websocket' ? client.transport.socket?._socket : undefined;
    if (!socket || socket.destroyed) continue;
    socket.cork();
    corked.push(socket);
  }
  try {
    deliver();
  } finally {
    for (const socket of corked) socket.uncork();
  }
}
