import type { Socket as NetSocket } from 'node:net';
import type { OrderState } from '@kitchen-sync/protocol';
import type { Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryEventStore, type EventStore } from '../src/index.js';
import { createLiveFeed } from '../src/lib/liveFeed.js';
import { client, order, startTransport, type TestTransport } from './helpers.js';

let own: TestTransport | undefined;
afterEach(async () => {
  await own?.close();
  own = undefined;
});

type EngineSocket = ServerSocket['conn'];

const BACKLOG = 12_000;

/** A log of BACKLOG orders of about 1.5 KB each: far more than loopback socket buffers hold. */
function bigLog(): EventStore {
  const store = createMemoryEventStore();
  const notes = 'n'.repeat(1_400);
  store.transaction(() => {
    for (let i = 0; i < BACKLOG; i++) {
      const o = order({ notes });
      store.append({
        outlet: '1',
        tenant: '3',
        tsMs: 0,
        envelope: {
          event_id: crypto.randomUUID(),
          type: 'new_order',
          outlet_id: 1,
          tenant_id: 3,
          order_id: o.order_id,
          data: { ...o, version: 1 } as OrderState,
          ts: new Date(0).toISOString(),
        },
      });
    }
  });
  return store;
}

describe('backlog replay to a client that stops reading', () => {
  it('waits for the connection to drain instead of queueing the whole backlog', async () => {
    const store = bigLog();
    let conn: EngineSocket | undefined;
    let largestQueue = 0;
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => {
      resume = resolve;
    });
    own = await startTransport({
      store: {
        ...store,
        // Each backlog page read notes how much is still queued in front of the client.
        eventsAfter(...args) {
          const queued =
            (conn as unknown as { writeBuffer: unknown[] } | undefined)?.writeBuffer.length ?? 0;
          largestQueue = Math.max(largestQueue, queued);
          // Without back-pressure the relay keeps reading with pages piling up: enough seen.
          if (queued >= 1_000) resume();
          return store.eventsAfter(...args);
        },
      },
    });
    own.transport.io.engine.on('connection', (socket: EngineSocket) => {
      conn = socket;
      // With back-pressure the replay parks on 'drain' while the client is not reading.
      const once = socket.once.bind(socket);
      socket.once = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event === 'drain') resume();
        return once(event, listener);
      }) as typeof socket.once;
    });
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    kitchen.socket.io.engine.once('open', () => {
      const tcp = (kitchen.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } })
        .ws._socket;
      tcp.pause();
      stalled.then(() => tcp.resume());
    });
    await kitchen.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'), 20_000);
    expect(largestQueue).toBeLessThan(1_000);
    expect(kitchen.events().map((e) => e.seq)).toEqual(
      Array.from({ length: BACKLOG - 1 }, (_, i) => i + 2),
    );
  }, 30_000);

  it('drops a stalled client once too many live events wait behind its replay', async () => {
    const store = bigLog();
    const live = createLiveFeed(() => undefined);
    let parked!: () => void;
    const replayParked = new Promise<void>((resolve) => {
      parked = resolve;
    });
    own = await startTransport({ store, live, maxReplayBuffer: 10 });
    own.transport.io.engine.on('connection', (socket: EngineSocket) => {
      const once = socket.once.bind(socket);
      socket.once = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event === 'drain') parked();
        return once(event, listener);
      }) as typeof socket.once;
    });
    const dropped = new Promise<string>((resolve) => {
      own!.transport.io.on('connection', (socket) => socket.on('disconnect', resolve));
    });
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    kitchen.socket.io.engine.once('open', () => {
      (
        kitchen.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }
      ).ws._socket.pause();
    });
    await replayParked;
    const head = store.head('1');
    for (let seq = head + 1; seq <= head + 11; seq++) {
      const o = order();
      live.publish([
        {
          outlet: '1',
          tenant: '3',
          tsMs: 0,
          envelope: {
            seq,
            event_id: crypto.randomUUID(),
            type: 'new_order',
            outlet_id: 1,
            tenant_id: 3,
            order_id: o.order_id,
            data: { ...o, version: 1 },
            ts: new Date(0).toISOString(),
          },
        },
      ]);
    }
    expect(await dropped).toBe('server namespace disconnect');
  }, 30_000);

  it('ends a replay that retention overtook instead of skipping the pruned events', async () => {
    const store = bigLog();
    let parked!: () => void;
    const replayParked = new Promise<void>((resolve) => {
      parked = resolve;
    });
    own = await startTransport({ store });
    own.transport.io.engine.on('connection', (socket: EngineSocket) => {
      const once = socket.once.bind(socket);
      socket.once = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event === 'drain') parked();
        return once(event, listener);
      }) as typeof socket.once;
    });
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    let tcp: NetSocket | undefined;
    kitchen.socket.io.engine.once('open', () => {
      tcp = (kitchen.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws
        ._socket;
      tcp.pause();
    });
    const ended = new Promise<string>((resolve) => {
      kitchen.socket.on('disconnect', (reason) => resolve(reason));
      kitchen.socket.on('sync:caught_up', () => resolve('caught_up'));
    });
    await replayParked;
    // While the replay waits for the client, retention drops all but the last 100 events.
    store.prune({ maxAgeMs: Number.MAX_SAFE_INTEGER, maxEvents: 100 }, 0);
    tcp!.resume();
    expect(await ended).toBe('io server disconnect');
    const seqs = kitchen.events().map((e) => e.seq!);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 2));
  }, 30_000);
});
