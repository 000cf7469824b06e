import type { Server } from 'socket.io';
import { type EngineTransport, type RawSocket, rawWebSocket } from './engineInternals.js';

/**
 * Runs `deliver` with the WebSocket connections in `rooms` corked, so the frames of a commit
 * batch of several events leave each connection as one write. Over TLS a second write issued
 * while the first is still pending waits for Node's write callback in the next loop iteration;
 * corked, the batch goes out in the same tick as one TLS write (and over TCP as one send).
 */
export function withCorkedWebSockets(
  io: Server,
  rooms: Iterable<string>,
  deliver: () => void,
): void {
  const namespace = io.of('/');
  const corked = new Set<RawSocket>();
  for (const room of rooms) {
    for (const id of namespace.adapter.rooms.get(room) ?? []) {
      const conn = namespace.sockets.get(id)?.conn as { transport: EngineTransport } | undefined;
      const socket = conn && rawWebSocket(conn.transport);
      if (!socket || socket.destroyed || corked.has(socket)) continue;
      socket.cork();
      corked.add(socket);
    }
  }
  try {
    deliver();
  } finally {
    for (const socket of corked) socket.uncork();
  }
}
