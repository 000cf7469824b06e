import { IDBFactory } from 'fake-indexeddb';
import { createOrderOutbox, type OrderOutbox } from '../../../src/outbox/orderOutbox.js';
import type { FakeSocket } from './fakeSocket.js';
import { ManualTimers } from './manualTimers.js';

/**
 * An outbox alone in its tab (no Web Locks, no BroadcastChannel) on a fresh fake IndexedDB,
 * sending over `socket`, its time moving only when the test moves `timers`.
 */
export function socketOutbox(socket: FakeSocket, timers = new ManualTimers()): OrderOutbox {
  return createOrderOutbox({
    indexedDB: new IDBFactory(),
    timers,
    now: timers.now,
    locks: null,
    channel: null,
    socket,
  });
}
