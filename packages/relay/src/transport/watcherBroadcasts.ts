import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import type { Server } from 'socket.io';
import type { StoredEvent } from '../store/EventStore.js';
import { withCorkedWebSockets } from './corkedBroadcasts.js';
import { watcherEventRooms } from './rooms.js';

/** How long POS, monitor and admin screens' events may wait to leave together. */
export const DEFAULT_WATCHER_BATCH_MS = 20;

export interface WatcherBroadcasts {
  /** False when batching is off: the events leave with the kitchens' (and are corked with them). */
  readonly batched: boolean;
  /** Queues events for the watchers' rooms (sent at once when batching is off). */
  add(event: StoredEvent): void;
  /**
   * A connection joined its live rooms after replaying the log (and its buffered live events):
   * what was queued before this moment already reached it, and must not reach it twice.
   */
  joined(socketId: string): void;
  close(): void;
}

/**
 * The events for screens that watch orders rather than cook them (POS, monitor, admin), sent
 * `batchMs` after the first of them, in order, each connection's batch as one write. At 500
 * orders a second that is one write per POS per ~10 orders instead of one per order: over TLS
 * every write is a record Node and OpenSSL charge for (~10 µs against ~6.5 over TCP), and 20
 * POS were 20 of the 70 writes an order cost. Kitchens are not batched: a new ticket is shown
 * the moment it is stored.
 */
export function createWatcherBroadcasts(
  io: Server,
  batchMs: number,
  onError: (error: unknown) => void,
): WatcherBroadcasts {
  const emit = (event: StoredEvent, except: string[] = []) => {
    // One event that cannot be sent must not hold back the rest of its batch.
    try {
      io.local
        .to(watcherEventRooms(event.outlet, event.tenant))
        .except(except)
        .emit(SOCKET_EVENTS.EVENT, event.envelope);
    } catch (error) {
      onError(error);
    }
  };
  if (!(batchMs > 0 && Number.isFinite(batchMs))) {
    return { batched: false, add: (event) => emit(event), joined() {}, close() {} };
  }

  const pending: StoredEvent[] = [];
  // Connections that went live while events waited: the index of the first one they lack.
  const joinedAt = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const events = pending.splice(0);
    const joins = [...joinedAt];
    joinedAt.clear();
    const rooms = new Set(events.flatMap((e) => watcherEventRooms(e.outlet, e.tenant)));
    withCorkedWebSockets(io, rooms, () => {
      events.forEach((event, index) => {
        emit(
          event,
          joins.filter(([, from]) => from > index).map(([id]) => id),
        );
      });
    });
  };

  return {
    batched: true,
    add(event) {
      pending.push(event);
      timer ??= setTimeout(flush, batchMs);
    },
    joined(socketId) {
      if (pending.length > 0) joinedAt.set(socketId, pending.length);
    },
    close() {
      clearTimeout(timer);
      pending.length = 0;
      joinedAt.clear();
    },
  };
}
