import type { CaughtUpMessage, EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { createKitchenFeed, type KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../src/outbox/orderOutbox.js';
import type { SocketService } from '../../src/socket/types.js';

/** Stands in for a socket service inside the page: the test pushes what the relay would send. */
export class PageSocket implements Pick<SocketService, 'on'> {
  readonly #listeners = new Map<string, Array<(...args: unknown[]) => void>>();

  on(type: string, fn: (...args: never[]) => void): () => void {
    const list = this.#listeners.get(type) ?? [];
    list.push(fn as (...args: unknown[]) => void);
    this.#listeners.set(type, list);
    return () => {};
  }

  caughtUp(message: CaughtUpMessage): void {
    this.#emit('sync:caught_up', message);
  }

  snapshot(message: SnapshotMessage): void {
    this.#emit('sync:snapshot', message);
  }

  event(event: EventEnvelope): void {
    this.#emit('event', event);
  }

  #emit(type: string, ...args: unknown[]): void {
    for (const fn of this.#listeners.get(type) ?? []) fn(...args, 'local');
  }
}

/** What the page exposes to `page.evaluate` in the Chromium tests. */
export interface OutboxFeedPageApi {
  createOrderOutbox: typeof createOrderOutbox;
  createKitchenFeed: typeof createKitchenFeed;
  PageSocket: typeof PageSocket;
  outbox?: OrderOutbox;
  feed?: KitchenFeed;
  socket?: PageSocket;
}

declare global {
  var ksPage: OutboxFeedPageApi;
}

globalThis.ksPage = { createOrderOutbox, createKitchenFeed, PageSocket };
