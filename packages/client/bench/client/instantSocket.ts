import { FakeSocket } from '../../test/unit/fakes/fakeSocket.js';

/** A connected socket whose relay acks every request at once; the bench pushes events. */
export function instantSocket(): FakeSocket {
  const socket = new FakeSocket();
  socket.setLocal(true);
  return socket;
}
