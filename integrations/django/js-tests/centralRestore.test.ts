import 'fake-indexeddb/auto';
import {
  createSocketService,
  loadOutletSettings,
  type SocketService,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import { createKitchenFeed, type KitchenFeed } from '@kitchen-sync/client/feed';
import type { Order } from '@kitchen-sync/protocol';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { centralOrder } from './harness/centralOrder.js';
import { DjangoStack } from './harness/djangoStack.js';
import { waitFor } from './harness/waitFor.js';

let stack: DjangoStack;
let service: SocketService | undefined;
let feed: KitchenFeed | undefined;

beforeAll(async () => {
  stack = await new DjangoStack().start();
});

afterAll(async () => {
  service?.stop();
  feed?.stop();
  await stack?.stop();
});

/** Central records and broadcasts each new order; returns the event ids its log gave them. */
function publish(orders: Order[]): string[] {
  const code = [
    'import json',
    'from kitchen_sync.events import publish_order_event',
    `for data in json.loads(${JSON.stringify(JSON.stringify(orders))}):`,
    "    print(publish_order_event('new_order', data)[0]['event_id'])",
  ].join('\n');
  return stack.python(code).trim().split('\n').slice(-orders.length);
}

/**
 * Central's database restored from a backup taken at seq `kept`: the outlet log's later rows and
 * its seq counter go back, so the next events take those seqs again.
 */
function restoreLogTo(kept: number): void {
  stack.python(
    [
      'from kitchen_sync.models import OutletEvent, SyncCounter',
      'from kitchen_sync.outlet_log import log_collection',
      `OutletEvent.objects.filter(outlet_id='1', seq__gt=${kept}).delete()`,
      `SyncCounter.objects.filter(collection=log_collection('1')).update(value=${kept})`,
    ].join('\n'),
  );
}

describe("central mode sees central's log go back (daphne + Redis + the kitchen_sync consumer)", () => {
  it('a kitchen whose cursor central reused after a restore is reset and shows the new orders', async () => {
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-grill' },
      storage: null,
    });
    // Central only: nothing answers on the settings' relay address, and no relay is wanted.
    const { relayUrl: _relay, ...central } = socketOptionsFromSettings(settings);
    service = createSocketService({
      ...central,
      WebSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      reconnect: { min: 100, max: 500 },
    });
    feed = createKitchenFeed({ indexedDB: new IDBFactory(), outletId: 1, tenants: [1] });
    feed.connect(service);
    const resets: Array<number | null> = [];
    service.on('central:reset', ({ seq }) => resets.push(seq));
    const shown = () => new Set(feed?.orders.get().map((order) => order.order_id));

    const [kept, lost] = [centralOrder(1), centralOrder(1)];
    publish([kept]);
    service.start();
    await waitFor(() => shown().has(kept.order_id), 10_000, 'the open order');
    const [lostId] = publish([lost]);
    await waitFor(() => shown().has(lost.order_id), 10_000, 'the live order');
    await feed.flush();
    // The kitchen's stored cursor: seq 2, the order it got live.
    expect(feed.centralCursor.get()).toEqual({ since: 2, since_event: lostId });

    await stack.killDaphne();
    await waitFor(() => service?.status.get().centralConnected === false, 10_000, 'down');
    // Restored to seq 1; two new orders take seqs 2 and 3. By the seq alone the kitchen would
    // resume after 2 and never be sent the first of them.
    restoreLogTo(1);
    const fresh = [centralOrder(1), centralOrder(1)];
    const freshIds = publish(fresh);
    await stack.startDaphne();

    await waitFor(
      () => fresh.every((order) => shown().has(order.order_id)),
      15_000,
      'the orders made after the restore',
    );
    expect(resets).toEqual([3]);
    await feed.flush();
    expect(feed.centralCursor.get()).toEqual({ since: 3, since_event: freshIds[1] });
  });
});
