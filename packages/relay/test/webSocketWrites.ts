import type { Socket as ServerSocket } from 'socket.io';

interface RawSocket {
  _write(...args: unknown[]): void;
  _writev(...args: unknown[]): void;
}

/** Counts the writes the server side of a connection hands to the kernel (write or writev). */
export function countWrites(server: ServerSocket): () => number {
  const raw = (server.conn.transport as unknown as { socket: { _socket: RawSocket } }).socket
    ._socket;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = raw[method].bind(raw);
    raw[method] = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
  }
  return () => writes;
}

/** Resolves once `done()` holds, looking again after each turn of the event loop. */
export const untilTrue = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
};
