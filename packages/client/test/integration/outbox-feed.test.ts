import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RelayProcess, startRelayProcess } from '../../bench/client/relayProcess.js';
import {
  createKitchenFeed,
  type KitchenFeed,
  type KitchenFeedOptions,
} from '../../src/feed/kitchenFeed.js';
import {
  createOrderOutbox,
  type OrderOutbox,
  type OrderOutboxOptions,
} from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { makeOrder } from '../unit/fakes/orders.js';

const FAST = { min: 50, max: 500, jitter: 0.3 };
const WAIT = { timeout: 10_000, interval: 20 };

let relay: RelayProcess;
let posToken: string;
const stoppers: Array<{ stop(): void }> = [];

beforeAll(async () => {
  relay = await startRelayProcess();
  posToken = await relay.token({ role: 'pos', sub: 'pos-1' });
}, 30_000);

afterAll(async () => {
  await relay.close();
});

afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop();
});

function service(token: string, clientId: string): SocketService {
  const s = createSocketService({
    outletId: 1,
    relayUrl: relay.url,
    token,
    clientId,
    reconnect: FAST,
  });
  stoppers.push(s);
  return s;
}

function outbox(options: OrderOutboxOptions): OrderOutbox {
  const o = createOrderOutbox({
    indexedDB: new IDBFactory(),
    locks: null,
    channel: null,
    backoff: FAST,
    ...options,
  });
  stoppers.push(o);
  return o;
}

function feed(options: KitchenFeedOptions): KitchenFeed {
  const f = createKitchenFeed({ playSound: () => {}, notify: () => {}, ...options });
  stoppers.push(f);
  return f;
}

/** A kitchen screen wired as docs/client.md says: socket → outbox → feed on both. */
async function kitchen(sub: string, tenant: number, indexedDB = new IDBFactory()) {
  const token = await relay.token({ role: 'kitchen', sub, tenants: [tenant] });
  const s = service(token, sub);
  const o = outbox({ socket: s, token });
  // The feed hands its stored cursor to the socket: the relay resumes after what it stored.
  const f = feed({ indexedDB, tenants: [tenant], socket: s, outbox: o });
  const announced: string[] = [];
  f.onNewOrder((order) => announced.push(order.order_id));
  await f.ready;
  return { feed: f, service: s, outbox: o, announced, token };
}

const idsOf = (k: { feed: KitchenFeed }) => k.feed.orders.get().map((o) => o.order_id);

describe('outbox and feed against the real relay', () => {
  it('delivers over HTTP when no socket is up, and the kitchen receives it', async () => {
    const k = await kitchen('k-http', 1);
    k.service.start();
    const pos = outbox({ relayUrl: relay.url, token: posToken });
    const order = makeOrder({ tenant_id: 1 });

    await pos.submit(order);
    await vi.waitFor(() => expect(idsOf(k)).toContain(order.order_id), WAIT);
    // The relay broadcasts right after its durable write; the HTTP answer may come a bit later.
    await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), WAIT);
  });

  it('refreshes a refused token and then delivers', async () => {
    let refreshed = 0;
    const pos = outbox({
      relayUrl: relay.url,
      token: 'not-a-token',
      refreshToken: async () => {
        refreshed++;
        return posToken;
      },
    });
    await pos.submit(makeOrder({ tenant_id: 1 }));
    await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), WAIT);
    expect(refreshed).toBe(1);
    expect(pos.rejected.get()).toEqual([]);
  });

  it('keeps an order the relay forbids visible in rejected, and the line moves on', async () => {
    const pos = outbox({ relayUrl: relay.url, token: posToken });
    const foreign = makeOrder({ outlet_id: 99 });
    const fine = makeOrder({ tenant_id: 2 });
    await pos.submit(foreign);
    await pos.submit(fine);

    await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), WAIT);
    expect(pos.rejected.get().map((e) => [e.order_id, e.error.code])).toEqual([
      [foreign.order_id, 'forbidden'],
    ]);
  });

  it('rolls back a status change the relay refuses, and shows what the relay decided', async () => {
    const a = await kitchen('k-a', 3);
    const b = await kitchen('k-b', 3);
    a.service.start();
    b.service.start();
    const posService = service(posToken, 'pos-roll');
    posService.start();
    const pos = outbox({ socket: posService, relayUrl: relay.url, token: posToken });
    const order = makeOrder({ tenant_id: 3 });
    await pos.submit(order);
    await vi.waitFor(() => expect(idsOf(a)).toEqual([order.order_id]), WAIT);
    await vi.waitFor(() => expect(idsOf(b)).toEqual([order.order_id]), WAIT);

    // Kitchen B goes offline and starts the order; meanwhile kitchen A cancels it.
    b.service.stop();
    await b.feed.updateStatus(order.order_id, 'preparing');
    expect(b.feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['preparing', true]]);
    await a.feed.updateStatus(order.order_id, 'cancelled');
    await vi.waitFor(() => expect(a.outbox.pending.get()).toEqual([]), WAIT);

    b.service.start();
    await vi.waitFor(() => {
      expect(b.feed.orders.get().map((o) => [o.status, o.pending])).toEqual([['cancelled', false]]);
      expect(b.outbox.rejected.get().map((e) => e.error.code)).toEqual(['invalid_transition']);
    }, WAIT);
    expect(a.feed.orders.get().map((o) => o.status)).toEqual(['cancelled']);
  });

  it('reopens from IndexedDB at once and resumes after its cursor', async () => {
    const indexedDB = new IDBFactory();
    const first = await kitchen('k-reopen', 2, indexedDB);
    first.service.start();
    const pos = outbox({ relayUrl: relay.url, token: posToken });
    const before = makeOrder({ tenant_id: 2 });
    await pos.submit(before);
    await vi.waitFor(() => expect(idsOf(first)).toContain(before.order_id), WAIT);
    await first.feed.flush();
    const seenBefore = idsOf(first);
    first.service.stop();
    first.feed.stop();

    const after = makeOrder({ tenant_id: 2 });
    await pos.submit(after);
    await vi.waitFor(() => expect(pos.pending.get()).toEqual([]), WAIT);

    const second = await kitchen('k-reopen', 2, indexedDB);
    expect(idsOf(second)).toEqual(seenBefore);
    second.service.start();
    await vi.waitFor(() => expect(idsOf(second)).toContain(after.order_id), WAIT);
    expect(second.announced).toEqual([after.order_id]);
  });
});
