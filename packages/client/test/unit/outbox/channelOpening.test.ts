import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createOrderOutbox,
  type OrderOutbox,
  type OrderOutboxOptions,
} from '../../../src/outbox/orderOutbox.js';
import { ManualTimers } from '../fakes/manualTimers.js';

/** Every BroadcastChannel the outbox opens, and whether it was closed. */
let opened: Array<{ name: string; closed: boolean; listeners: number }>;
let outboxes: OrderOutbox[];

class RecordedChannel {
  readonly #entry: (typeof opened)[number];
  constructor(name: string) {
    this.#entry = { name, closed: false, listeners: 0 };
    opened.push(this.#entry);
  }
  postMessage(): void {}
  addEventListener(): void {
    this.#entry.listeners++;
  }
  removeEventListener(): void {
    this.#entry.listeners--;
  }
  close(): void {
    this.#entry.closed = true;
  }
}

beforeEach(() => {
  opened = [];
  outboxes = [];
  vi.stubGlobal('BroadcastChannel', RecordedChannel);
});

afterEach(() => {
  for (const outbox of outboxes) outbox.stop();
  vi.unstubAllGlobals();
});

function open(options: OrderOutboxOptions): OrderOutbox {
  const timers = new ManualTimers();
  const outbox = createOrderOutbox({ timers, now: timers.now, locks: null, ...options });
  outboxes.push(outbox);
  return outbox;
}

// A server render creates an outbox per request and never stops it: a channel opened at
// construction kept each one, and the Node process, alive for good.
describe("OrderOutbox's channel to other tabs", () => {
  it('is not opened where there is no IndexedDB', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const outbox = open({});
    const code = await outbox.ready.catch((error: { code?: string }) => error.code);
    expect(code).toBe('storage');
    expect(opened).toEqual([]);
  });

  it('is opened with the database, named after it, and closed by stop()', async () => {
    const outbox = open({ indexedDB: new IDBFactory(), dbName: 'pos-1' });
    await outbox.ready;
    expect(opened).toEqual([{ name: 'kitchen-sync-outbox:pos-1', closed: false, listeners: 1 }]);

    outbox.stop();
    expect(opened).toEqual([{ name: 'kitchen-sync-outbox:pos-1', closed: true, listeners: 0 }]);
  });

  it('is not opened by an outbox stopped before its database opened', async () => {
    const outbox = open({ indexedDB: new IDBFactory() });
    outbox.stop();
    await outbox.ready.catch(() => {});
    expect(opened).toEqual([]);
  });
});
