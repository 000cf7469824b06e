import type { Socket as NetSocket } from 'node:net';
import type { Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryEventStore, type EventStore } from '../src/index.js';
import { createLiveFeed } from '../src/lib/liveFeed.js';
import {
  client,
  newOrderEvent,
  order,
  startTransport,
  type TestClient,
  type TestTransport,
} from './helpers.js';

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
    for (let i = 0; i < BACKLOG; i++) store.append(newOrderEvent(order({ notes })));
  });
  return store;
}

/** Calls `onWait` each time the relay parks a replay on 'drain' (its client stopped reading). */
function onDrainWait(transport: TestTransport, onWait: () => void): void {
  transport.transport.io.engine.on('connection', (socket: EngineSocket) => {
    const once = socket.once.bind(socket);
    socket.once = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event === 'drain') onWait();
      return once(event, listener);
    }) as typeof socket.once;
  });
}

/** Stops the client reading its TCP socket as soon as it opens; resolves with that socket. */
function stopReading(kitchen: TestClient): Promise<NetSocket> {
  return new Promise((resolve) => {
    kitchen.socket.io.engine.once('open', () => {
      const tcp = (kitchen.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } })
        .ws._socket;
      tcp.pause();
      resolve(tcp);
    });
  });
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
    });
    // With back-pressure the replay parks on 'drain' while the client is not reading.
    onDrainWait(own, resume);
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    void stopReading(kitchen).then((tcp) => stalled.then(() => tcp.resume()));
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
    onDrainWait(own, parked);
    const dropped = new Promise<string>((resolve) => {
      own!.transport.io.on('connection', (socket) => socket.on('disconnect', resolve));
    });
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    void stopReading(kitchen);
    await replayParked;
    const head = store.head('1');
    for (let seq = head + 1; seq <= head + 11; seq++) {
      const { envelope, ...keys } = newOrderEvent();
      live.publish([{ ...keys, envelope: { ...envelope, seq } }]);
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
    onDrainWait(own, parked);
    const kitchen = client(own.url, { token: 'x', since: 1, epoch: store.epoch });
    const paused = stopReading(kitchen);
    const ended = new Promise<string>((resolve) => {
      kitchen.socket.on('disconnect', (reason) => resolve(reason));
      kitchen.socket.on('sync:caught_up', () => resolve('caught_up'));
    });
    await replayParked;
    // While the replay waits for the client, retention drops all but the last 100 events.
    store.prune({ maxAgeMs: Number.MAX_SAFE_INTEGER, maxEvents: 100 }, 0);
    (await paused).resume();
    expect(await ended).toBe('io server disconnect');
    const seqs = kitchen.events().map((e) => e.seq!);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 2));
  }, 30_000);
});
