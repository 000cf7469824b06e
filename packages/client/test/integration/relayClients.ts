import { IDBFactory } from 'fake-indexeddb';
import type { KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';

// The POS and kitchen of the tests that run a real relay CLI process (relayProcess.ts): short
// backoffs, no Web Locks or channel, each registered in `stoppers` for the test's clean-up.

export const FAST = { min: 50, max: 800, jitter: 0.3 };

/** A socket service to the relay; with `feed`, it resumes from the feed's cursor. */
export function relaySocket(
  stoppers: Array<{ stop(): void }>,
  url: string,
  tok: string,
  clientId: string,
  feed?: KitchenFeed,
): SocketService {
  const socket = createSocketService({
    outletId: 1,
    relayUrl: url,
    token: tok,
    clientId,
    reconnect: FAST,
    ...(feed ? { cursor: feed.cursor } : {}),
  });
  stoppers.push(socket);
  return socket;
}

/** An outbox delivering through `socket`, with a database of its own. */
export function relayOutbox(
  stoppers: Array<{ stop(): void }>,
  socket: SocketService,
  url: string,
  tok: string,
): OrderOutbox {
  const box = createOrderOutbox({
    indexedDB: new IDBFactory(),
    socket,
    relayUrl: url,
    token: tok,
    locks: null,
    channel: null,
    backoff: FAST,
  });
  stoppers.push(box);
  return box;
}
