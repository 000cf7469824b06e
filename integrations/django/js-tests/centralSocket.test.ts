import {
  createSocketService,
  loadOutletSettings,
  type SocketService,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { centralOrder } from './harness/centralOrder.js';
import { DjangoStack } from './harness/djangoStack.js';
import { waitFor } from './harness/waitFor.js';

let stack: DjangoStack;
let service: SocketService | undefined;

beforeAll(async () => {
  stack = await new DjangoStack().start();
});

afterAll(async () => {
  service?.stop();
  await stack?.stop();
});

const order = (tenant: number) => centralOrder(tenant);

describe('the socket service in central mode against the kitchen_sync consumer (daphne + Redis)', () => {
  it('receives its tenant’s broadcasts, and again after daphne is killed and restarted', async () => {
    // What a kitchen of tenant 1 does at boot: its settings carry the socket URL and token.
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-grill' },
      storage: null,
    });
    expect(settings.source).toBe('network');
    service = createSocketService({
      ...socketOptionsFromSettings(settings),
      WebSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      reconnect: { min: 100, max: 500 },
    });
    const events: EventEnvelope[] = [];
    service.on('event', (event) => events.push(event));
    service.start();
    await waitFor(() => service?.status.get().centralConnected === true, 10_000, 'connect');

    const [mine, alsoMine] = [order(1), order(1)];
    await stack.control('broadcast/', { order: order(2) });
    // No event_id given: each event gets a fresh one (one shared id would drop all but the first).
    await stack.control('broadcast/', { order: mine });
    await stack.control('broadcast/', { order: alsoMine });
    await stack.control('broadcast/', {
      event: 'order_updated',
      order: { ...mine, status: 'preparing' },
    });
    await waitFor(() => events.length >= 3, 10_000, 'three events');
    expect(events.map((e) => [e.type, e.tenant_id, e.order_id])).toEqual([
      ['new_order', 1, mine.order_id],
      ['new_order', 1, alsoMine.order_id],
      ['order_updated', 1, mine.order_id],
    ]);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(3);

    await stack.killDaphne();
    await waitFor(() => service?.status.get().centralConnected === false, 10_000, 'down');
    await stack.startDaphne();
    await waitFor(() => service?.status.get().centralConnected === true, 15_000, 'reconnect');
    const after = order(1);
    await stack.control('broadcast/', { order: after });
    await waitFor(() => events.length >= 4, 10_000, 'the event after the restart');
    expect(events[3]?.order_id).toBe(after.order_id);
  });
});
