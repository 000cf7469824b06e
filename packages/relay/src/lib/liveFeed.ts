import type { StoredEvent } from '../store/EventStore.js';

export type LiveListener = (events: StoredEvent[]) => void;

/** Committed events, in seq order, to whoever delivers them live (sockets, long polls). */
export interface LiveFeed {
  subscribe(listener: LiveListener): () => void;
  publish(events: StoredEvent[]): void;
}

export function createLiveFeed(onListenerError: (error: unknown) => void): LiveFeed {
  const listeners = new Set<LiveListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(events) {
      for (const listener of [...listeners]) {
        // One failing transport must not keep the events from the others.
        try {
          listener(events);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
