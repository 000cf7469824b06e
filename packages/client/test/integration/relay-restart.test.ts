import 'fake-indexeddb/auto';
import { rm } from 'node:fs/promises';
import type { EventEnvelope, EventsResponse, Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RelayProcess, startRelayProcess } from '../../bench/client/relayProcess.js';
import { createKitchenFeed, type KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox, type OrderOutbox } from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { makeOrder } from '../unit/fakes/orders.js';

const OUTLET = 1;
const TENANTS = [1, 2, 3] as const;
const KITCHENS = [
  { sub: 'kitchen-1a', tenant: 1 },
  { sub: 'kitchen-1b', tenant: 1 },
  { sub: 'kitchen-2a', tenant: 2 },
  { sub: 'kitchen-2b', tenant: 2 },
  { sub: 'kitchen-3a', tenant: 3 },
];
const POS_COUNT = 5;
const ORDERS_PER_ROUND = 8;
const SETTLE_MS = 45_000;
const FAST = { min: 50, max: 800, jitter: 0.3 };

interface Pos {
  sub: string;
  service: SocketService;
  outbox: OrderOutbox;
  submitted: Order[];
}

interface Kitchen {
  sub: string;
  tenant: number;
  service: SocketService;
  outbox: OrderOutbox;
  feed: KitchenFeed;
  announced: string[];
}

let relay: RelayProcess | null = null;
const stoppers: Array<{ stop(): void }> = [];

afterEach(async () => {
  for (const s of stoppers.splice(0)) s.stop();
  await relay?.close();
  relay = null;
});

function connect(token: string, clientId: string, feed?: KitchenFeed): SocketService {
  const service = createSocketService({
    outletId: OUTLET,
    relayUrl: relay!.url,
    token,
    clientId,
    reconnect: FAST,
    ...(feed ? { cursor: feed.cursor } : {}),
  });
  stoppers.push(service);
  return service;
}

function outboxFor(service: SocketService, token: string): OrderOutbox {
  const outbox = createOrderOutbox({
    indexedDB: new IDBFactory(),
    socket: service,
    relayUrl: relay!.url,
    token,
    locks: null,
    channel: null,
    backoff: FAST,
  });
  stoppers.push(outbox);
  return outbox;
}

async function openPos(index: number): Promise<Pos> {
  const sub = `pos-${index}`;
  const token = await relay!.token({ role: 'pos', sub });
  const service = connect(token, sub);
  service.start();
  return { sub, service, outbox: outboxFor(service, token), submitted: [] };
}

async function openKitchen(spec: (typeof KITCHENS)[number]): Promise<Kitchen> {
  const token = await relay!.token({ role: 'kitchen', sub: spec.sub, tenants: [spec.tenant] });
  const feed = createKitchenFeed({
    indexedDB: new IDBFactory(),
    tenants: [spec.tenant],
    playSound: () => {},
    notify: () => {},
  });
  stoppers.push(feed);
  const service = connect(token, spec.sub, feed);
  const outbox = outboxFor(service, token);
  const kitchen: Kitchen = { ...spec, service, outbox, feed, announced: [] };
  feed.useOutbox(outbox);
  feed.connect(service);
  feed.onNewOrder((order) => {
    kitchen.announced.push(order.order_id);
    outbox.enqueue('order:ack', { order_id: order.order_id }).catch(() => {});
  });
  await feed.ready;
  service.start();
  return kitchen;
}

async function submitRound(pos: Pos[], round: number): Promise<void> {
  await Promise.all(
    pos.map(async (p, i) => {
      for (let k = 0; k < ORDERS_PER_ROUND; k++) {
        const tenant = TENANTS[(i + k + round) % TENANTS.length]!;
        const order = makeOrder({ tenant_id: tenant, outlet_id: OUTLET });
        await p.outbox.submit(order);
        p.submitted.push(order);
      }
    }),
  );
}

/** Every event of the outlet, read from the relay's log as admin. */
async function relayLog(): Promise<EventEnvelope[]> {
  const token = await relay!.token({ role: 'admin', sub: 'auditor' });
  const events: EventEnvelope[] = [];
  let since = 0;
  for (let page = 0; page < 100; page++) {
    const response = await fetch(
      `${relay!.url}/api/events?outlet_id=${OUTLET}&since=${since}&limit=1000`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const body = (await response.json()) as EventsResponse;
    events.push(...body.events);
    if (body.events.length === 0) break;
    since = body.events.at(-1)?.seq ?? since;
  }
  return events;
}

const statuses = (feed: KitchenFeed) =>
  Object.fromEntries(feed.orders.get().map((o) => [o.order_id, o.status]));

describe('outboxes and feeds through relay restarts', () => {
  it('every order reaches every kitchen of its tenant exactly once, in order; kitchens agree', async () => {
    relay = await startRelayProcess();
    const pos = await Promise.all(Array.from({ length: POS_COUNT }, (_, i) => openPos(i)));
    const kitchens = await Promise.all(KITCHENS.map((k) => openKitchen(k)));
    await vi.waitFor(
      () => expect(kitchens.every((k) => k.service.status.get().localConnected)).toBe(true),
      { timeout: 10_000, interval: 20 },
    );

    await submitRound(pos, 0);
    await relay.kill();
    // Submitted while the relay is down: persisted, delivered after the restart.
    await submitRound(pos, 1);
    kitchens[0]!.service.stop();
    kitchens[2]!.service.stop();
    await relay.restart();
    await submitRound(pos, 2);
    kitchens[0]!.service.start();
    kitchens[2]!.service.start();
    pos[1]!.service.stop();
    await submitRound(pos, 3);
    pos[1]!.service.start();

    const all = pos.flatMap((p) => p.submitted);
    const ofTenant = (tenant: number) => all.filter((o) => o.tenant_id === tenant);
    await vi.waitFor(
      () => {
        expect(pos.map((p) => p.outbox.pending.get().length)).toEqual(pos.map(() => 0));
        for (const k of kitchens)
          expect(k.feed.orders.get()).toHaveLength(ofTenant(k.tenant).length);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );

    // Kitchens bump orders; the two kitchens of a tenant sometimes race for the same order.
    const bumps: Array<Promise<unknown>> = [];
    for (const tenant of TENANTS) {
      const [first, second] = kitchens.filter((k) => k.tenant === tenant);
      ofTenant(tenant).forEach((order, index) => {
        if (index % 3 === 0 && first) {
          bumps.push(
            first.feed
              .updateStatus(order.order_id, 'preparing')
              .then(() => first.feed.updateStatus(order.order_id, 'ready'))
              .catch(() => {}),
          );
        }
        if (index % 4 === 0 && second) {
          bumps.push(second.feed.updateStatus(order.order_id, 'cancelled').catch(() => {}));
        }
      });
    }
    await Promise.all(bumps);
    await relay.kill();
    await relay.restart();

    await vi.waitFor(
      () => {
        for (const k of kitchens) {
          expect(k.outbox.pending.get()).toEqual([]);
          expect(k.feed.orders.get().filter((o) => o.pending)).toEqual([]);
        }
        for (const tenant of TENANTS) {
          const [reference, ...others] = kitchens.filter((k) => k.tenant === tenant);
          for (const other of others)
            expect(statuses(other.feed)).toEqual(statuses(reference!.feed));
        }
      },
      { timeout: SETTLE_MS, interval: 50 },
    );

    const log = await relayLog();
    const published = log.filter((e) => e.type === 'new_order');
    expect(published.map((e) => e.order_id).sort()).toEqual(all.map((o) => o.order_id).sort());
    const seqOf = new Map(published.map((e) => [e.order_id, e.seq ?? 0]));
    for (const p of pos) {
      const seqs = p.submitted.map((o) => seqOf.get(o.order_id) ?? 0);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }

    for (const k of kitchens) {
      const expected = ofTenant(k.tenant).map((o) => o.order_id);
      const shown = k.feed.orders.get().map((o) => o.order_id);
      expect(new Set(shown).size).toBe(shown.length);
      expect(new Set(shown)).toEqual(new Set(expected));
      expect(k.announced).toHaveLength(expected.length);
      expect(new Set(k.announced)).toEqual(new Set(expected));
      // Per POS, a kitchen learns of orders in the order the POS took them.
      for (const p of pos) {
        const mine = new Set(p.submitted.map((o) => o.order_id));
        const expectedOrder = p.submitted
          .filter((o) => o.tenant_id === k.tenant)
          .map((o) => o.order_id);
        expect(k.announced.filter((id) => mine.has(id))).toEqual(expectedOrder);
      }
      const rejected = k.outbox.rejected.get().map((e) => e.error.code);
      expect(rejected.every((code) => code === 'invalid_transition')).toBe(true);
    }
    for (const p of pos) expect(p.outbox.rejected.get()).toEqual([]);

    const finalStatuses = kitchens.flatMap((k) => Object.values(statuses(k.feed)));
    expect(finalStatuses).toContain('ready');
    expect(finalStatuses).toContain('cancelled');
  }, 120_000);

  it('a relay that lost its data dir (new epoch): the kitchen takes the new log and keeps what it still shows', async () => {
    relay = await startRelayProcess();
    const [pos] = await Promise.all([openPos(0)]);
    const kitchen = await openKitchen({ sub: 'kitchen-epoch', tenant: 1 });
    const before = makeOrder({ tenant_id: 1, outlet_id: OUTLET });
    await pos!.outbox.submit(before);
    await vi.waitFor(
      () => expect(statuses(kitchen.feed)).toEqual({ [before.order_id]: 'pending' }),
      {
        timeout: 10_000,
        interval: 20,
      },
    );
    // The kitchen's ack of `before` must reach the old log: queued past the wipe, the new log
    // would rightly answer it `not_found`.
    await vi.waitFor(
      () => expect(kitchen.feed.orders.get()[0]?.acknowledged_by).toEqual(['kitchen-epoch']),
      { timeout: 10_000, interval: 20 },
    );
    await kitchen.feed.flush();
    const oldEpoch = kitchen.feed.cursor.get().epoch;

    await relay.kill();
    await rm(relay.dataDir, { recursive: true, force: true });
    await relay.restart();
    const after = makeOrder({ tenant_id: 1, outlet_id: OUTLET });
    await pos!.outbox.submit(after);

    await vi.waitFor(
      async () => {
        await kitchen.feed.flush();
        const cursor = kitchen.feed.cursor.get();
        expect(cursor.epoch).not.toBe(oldEpoch);
        expect(cursor.since).toBeGreaterThan(0);
        const shown = kitchen.feed.orders.get().map((o) => [o.order_id, o.orphaned] as const);
        expect(new Map(shown)).toEqual(
          new Map([
            [before.order_id, true],
            [after.order_id, false],
          ]),
        );
      },
      { timeout: SETTLE_MS, interval: 50 },
    );
    expect(kitchen.announced).toEqual([before.order_id, after.order_id]);

    // The new log's changes reach the kitchen; the orphan is bumped on this screen only.
    await kitchen.feed.updateStatus(after.order_id, 'preparing');
    await kitchen.feed.updateStatus(before.order_id, 'preparing');
    await vi.waitFor(
      () => {
        expect(kitchen.outbox.pending.get()).toEqual([]);
        expect(kitchen.feed.orders.get().filter((o) => o.pending)).toEqual([]);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );
    expect(statuses(kitchen.feed)).toEqual({
      [before.order_id]: 'preparing',
      [after.order_id]: 'preparing',
    });
    expect(kitchen.outbox.rejected.get()).toEqual([]);
  }, 60_000);

  it('a wiped relay: an order the POS sends again is re-adopted by a kitchen that had it', async () => {
    relay = await startRelayProcess();
    const pos = await openPos(0);
    const kitchen = await openKitchen({ sub: 'kitchen-readopt', tenant: 1 });
    const order = makeOrder({ tenant_id: 1, outlet_id: OUTLET });
    await pos.outbox.submit(order);
    await vi.waitFor(
      () => expect(statuses(kitchen.feed)).toEqual({ [order.order_id]: 'pending' }),
      {
        timeout: 10_000,
        interval: 20,
      },
    );
    await kitchen.feed.flush();
    const oldEpoch = kitchen.feed.cursor.get().epoch;

    await relay.kill();
    await rm(relay.dataDir, { recursive: true, force: true });
    await relay.restart();
    // The kitchen is on the new log first: the order is an orphan there.
    await vi.waitFor(
      async () => {
        await kitchen.feed.flush();
        expect(kitchen.feed.cursor.get().epoch).not.toBe(oldEpoch);
        expect(kitchen.feed.orders.get().map((o) => o.orphaned)).toEqual([true]);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );

    // The crash swallowed the POS's ack: it sends the same order again, into the new log.
    await pos.outbox.submit(order);
    await vi.waitFor(
      async () => {
        await kitchen.feed.flush();
        expect(kitchen.feed.orders.get().map((o) => [o.order_id, o.orphaned])).toEqual([
          [order.order_id, false],
        ]);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );
    // Adopted, not an orphan: a status change reaches the relay's new log.
    await kitchen.feed.updateStatus(order.order_id, 'preparing');
    await vi.waitFor(
      () => {
        expect(kitchen.outbox.pending.get()).toEqual([]);
        expect(kitchen.feed.orders.get().filter((o) => o.pending)).toEqual([]);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );
    expect(statuses(kitchen.feed)).toEqual({ [order.order_id]: 'preparing' });
    expect(kitchen.outbox.rejected.get()).toEqual([]);
    const log = await relayLog();
    expect(log.filter((e) => e.order_id === order.order_id).map((e) => e.type)).toEqual([
      'new_order',
      'order_updated',
    ]);
    expect(kitchen.announced).toEqual([order.order_id]);
  }, 90_000);
});
