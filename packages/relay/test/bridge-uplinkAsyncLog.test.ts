import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeLog } from '../src/bridge/bridgeLog.js';
import { createUplink, type Uplink } from '../src/bridge/uplink.js';
import { createLogger, type EventStore } from '../src/index.js';

let uplink: Uplink | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  uplink?.stop();
  vi.useRealTimers();
});

/** A log on the network (as PostgreSQL's): its position answers when the test lets it. */
function slowLog(head: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const askedOnce = new Promise<void>((resolve) => (asked = resolve));
  const cursors = new Map<string, number>();
  const log: BridgeLog = {
    async position() {
      asked();
      await gate;
      return { head, prunedThrough: 0 };
    },
    envelopeTextsAfter: async (_outlet, since, limit) =>
      Array.from({ length: Math.max(0, Math.min(limit, head - since)) }, (_, i) =>
        JSON.stringify({ seq: since + i + 1 }),
      ),
    firstTsAfter: async () => 0,
    getCursor: async (name) => cursors.get(name),
    setCursor: async (name, value) => void cursors.set(name, value),
    hasOrder: async () => false,
    prunedOrderOutlet: async () => undefined,
  };
  return { log, release, askedOnce, cursors };
}

/** Central answering every batch with its last seq, a little later, counting overlaps. */
function countingCentral() {
  const central = { posts: 0, inFlight: 0, mostAtOnce: 0 };
  const fetch = (async (_url: URL, init: RequestInit) => {
    central.posts += 1;
    central.inFlight += 1;
    central.mostAtOnce = Math.max(central.mostAtOnce, central.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 20));
    central.inFlight -= 1;
    const batch = JSON.parse(String(init.body)) as {
      epoch: string;
      events: Array<{ seq: number }>;
    };
    return Response.json({ epoch: batch.epoch, last_seq: batch.events.at(-1)?.seq ?? 0 });
  }) as unknown as typeof globalThis.fetch;
  return { central, fetch };
}

describe('the uplink on a log read over the network', () => {
  it('posts one batch at a time when commits come in while it reads the log', async () => {
    const { log, release, askedOnce, cursors } = slowLog(3);
    const { central, fetch } = countingCentral();
    uplink = createUplink({
      store: { epoch: 'epoch-1' } as EventStore,
      log,
      outlet: '1',
      centralUrl: 'http://central.test/',
      token: 'relay-credential',
      logger: createLogger({ level: 'silent' }),
      fetch,
      idlePollMs: 60_000,
    });
    uplink.start();
    await vi.advanceTimersByTimeAsync(0);
    await askedOnce;
    // Commits while its first look at the log is still on its way.
    uplink.notify();
    uplink.notify();
    await vi.advanceTimersByTimeAsync(10);
    release();
    await vi.advanceTimersByTimeAsync(200);
    expect(cursors.get('uplink:1')).toBe(3);
    expect(central).toMatchObject({ posts: 1, mostAtOnce: 1 });
    expect(uplink.health()).toMatchObject({ state: 'synced', pendingEvents: 0 });
  });
});
