import type { Server } from 'socket.io';
import { type EngineTransport, rawWebSocket } from './engineInternals.js';

interface EngineSocket {
  transport: EngineTransport;
  on(event: 'upgrade', listener: () => void): void;
}

/**
 * engine.io sends a socket's next packets only once its previous write has called back. Over
 * TCP that is the same tick; over TLS Node calls back from the next loop iteration, so after a
 * stall every queued event waited one more iteration per kitchen and the TLS relay caught up
 * far slower than the TCP one. While the connection takes writes without backpressure the
 * transport stays writable: the next packets go straight to the socket, which joins them
 * behind the pending write. A socket that needs draining still waits as before.
 */
export function useEagerWebSocketWrites(io: Server): void {
  const eager = (transport: EngineTransport) => {
    // Each connection and each upgrade brings a transport of its own: none is seen twice.
    if (!rawWebSocket(transport)) return;
    const send = transport.send.bind(transport);
    transport.send = (packets) => {
      send(packets);
      if (rawWebSocket(transport)?.writableNeedDrain === false) transport.writable = true;
    };
  };
  io.engine.on('connection', (socket: EngineSocket) => {
    eager(socket.transport);
    socket.on('upgrade', () => eager(socket.transport));
  });
}
