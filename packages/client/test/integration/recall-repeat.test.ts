import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KitchenCommandResult, OrderState } from '@kitchen-sync/protocol';
import { createRelay, type Relay, signToken } from '@kitchen-sync/relay';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKitchenFeed, type KitchenFeed } from '../../src/feed/kitchenFeed.js';
import { createOrderOutbox } from '../../src/outbox/orderOutbox.js';
import { createSocketService } from '../../src/socket/socketService.js';
import type { RequestAck, SocketService } from '../../src/socket/types.js';
import { makeOrder } from '../unit/fakes/orders.js';

// Protocol v1.1's recall takes an order through a status it already had (ready, or even
// completed, within the recall window). Every screen must follow the relay's log there too,
// and a station's bump that another change overtook must not vanish.
const SECRET = 'client-recall-repeat-secret-32-bytes!';
const WAIT = { timeout: 10_000, interval: 20 };

let dir: string;
let relay: Relay;
let url: string;
const stoppers: Array<{ stop(): void }> = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-recall-'));
  relay = createRelay({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    secret: SECRET,
    logLevel: 'silent',
  });
  ({ url } = await relay.listen());
});

afterEach(async () => {
  for (const s of stoppers.splice(0)) s.stop();
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

async function service(role: 'pos' | 'kitchen' | 'monitor', sub: string): Promise<SocketService> {
  const token = await signToken(SECRET, { sub, role, outlet: 1, tenants: [1] }, '1h');
  const s = createSocketService({ outletId: 1, relayUrl: url, token, clientId: sub });
  stoppers.push(s);
  return s;
}

/** A pickup screen: its own socket service and a feed in its own IndexedDB. */
async function screen(sub: string): Promise<KitchenFeed> {
  const s = await service('monitor', sub);
  const feed = createKitchenFeed({
    indexedDB: new IDBFactory(),
    socket: s,
    batchMs: 0,
    playSound: () => {},
    notify: () => {},
  });
  stoppers.push(feed);
  await feed.ready;
  s.start();
  return feed;
}

async function connected(s: SocketService): Promise<SocketService> {
  s.start();
  await vi.waitFor(() => expect(s.status.get().localConnected).toBe(true), WAIT);
  return s;
}

async function ask(s: SocketService, type: string, payload: object): Promise<KitchenCommandResult> {
  const ack: RequestAck = await s.request(type as never, payload);
  if (!ack.ok) throw new Error(`${type} refused: ${ack.error.code}`);
  return ack as KitchenCommandResult;
}

const shown = (feed: KitchenFeed, orderId: string) => {
  const order = feed.orders.get().find((o) => o.order_id === orderId);
  return order && { status: order.status, version: order.version };
};

describe('a status an order reaches again after a recall', () => {
  it('reaches every screen: the second hand-out and the second ready', async () => {
    const pos = await connected(await service('pos', 'pos-1'));
    const grill = await connected(await service('kitchen', 'grill'));
    const pickup = await screen('pickup');
    const expo = await screen('expo');
    const screens = [pickup, expo];
    const order = makeOrder({
      items: [
        { product_id: 1, name: 'Burger', quantity: 1, station: 'grill', line_id: 'g' },
        { product_id: 2, name: 'Fries', quantity: 1, station: 'fry', line_id: 'f' },
      ],
    });
    const id = order.order_id;
    const lineVersion = (state: OrderState | undefined) =>
      state?.items.find((item) => item.line_id === 'g')?.version;
    await ask(pos, 'order:publish', order);

    // Handed out, brought back (a line recalled), bumped again, handed out again.
    await ask(grill, 'order:item_update', { order_id: id, line_id: 'g', status: 'ready' });
    await ask(grill, 'order:item_update', { order_id: id, line_id: 'f', status: 'ready' });
    const first = await ask(pos, 'order:update', { order_id: id, status: 'completed' });
    const recalled = await ask(grill, 'order:recall', { order_id: id, line_id: 'g' });
    await ask(grill, 'order:item_update', {
      order_id: id,
      line_id: 'g',
      status: 'ready',
      version: lineVersion(recalled.order),
    });
    const second = await ask(pos, 'order:update', { order_id: id, status: 'completed' });
    expect(second.version).toBeGreaterThan(first.version);
    for (const feed of screens) {
      await vi.waitFor(
        () => expect(shown(feed, id)).toEqual({ status: 'completed', version: second.version }),
        WAIT,
      );
    }

    // Expo calls the ticket ready, a station recalls a line, expo calls it ready again.
    const next = makeOrder({
      items: [{ product_id: 1, name: 'Steak', quantity: 1, station: 'grill', line_id: 'g' }],
    });
    await ask(pos, 'order:publish', next);
    await ask(grill, 'order:update', { order_id: next.order_id, status: 'preparing' });
    await ask(grill, 'order:update', { order_id: next.order_id, status: 'ready' });
    await ask(grill, 'order:recall', { order_id: next.order_id, line_id: 'g' });
    const again = await ask(grill, 'order:update', { order_id: next.order_id, status: 'ready' });
    for (const feed of screens) {
      await vi.waitFor(
        () =>
          expect(shown(feed, next.order_id)).toEqual({ status: 'ready', version: again.version }),
        WAIT,
      );
    }
  }, 30_000);
});

describe('a bump another change overtook', () => {
  it("stays in the outbox as stale with the relay's order, and goes again on its version", async () => {
    const pos = await connected(await service('pos', 'pos-1'));
    const expo = await connected(await service('kitchen', 'expo'));
    const grill = await connected(await service('kitchen', 'grill'));
    const outbox = createOrderOutbox({
      indexedDB: new IDBFactory(),
      locks: null,
      channel: null,
      socket: grill,
    });
    stoppers.push(outbox);
    const order = makeOrder({
      items: [{ product_id: 1, name: 'Burger', quantity: 1, station: 'grill', line_id: 'g' }],
    });
    await ask(pos, 'order:publish', order);
    // The grill screen saw the line at version 1; expo started it meanwhile (version 2).
    const started = await ask(expo, 'order:item_update', {
      order_id: order.order_id,
      line_id: 'g',
      status: 'preparing',
    });
    await outbox.enqueue('order:item_update', {
      order_id: order.order_id,
      line_id: 'g',
      status: 'ready',
      version: 1,
    });
    await vi.waitFor(() => expect(outbox.rejected.get()).toHaveLength(1), WAIT);
    const [stale] = outbox.rejected.get();
    expect(stale?.error.code).toBe('stale');
    expect(stale?.error.order?.items[0]).toMatchObject({ status: 'preparing', version: 2 });
    expect(stale?.error.order?.version).toBe(started.version);

    await outbox.retry(stale!.id);
    await vi.waitFor(() => expect(outbox.pending.get()).toEqual([]), WAIT);
    expect(outbox.rejected.get()).toEqual([]);
    const done = await ask(pos, 'order:update', { order_id: order.order_id, status: 'completed' });
    expect(done.ok).toBe(true);
  }, 30_000);
});
