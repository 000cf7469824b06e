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

describe('a kitchen whose socket token central stops accepting (daphne + Redis + the kitchen_sync consumer)', () => {
  it('gets 4401 after SOCKET_TOKEN_SECRET changes, fetches its settings again, reconnects, and receives the next web order', async () => {
    // Wired as docs/ tell a kitchen screen to: nothing here refreshes anything by hand. The
    // settings' relay is not running (the status shows its error): orders come from central.
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-grill' },
      storage: null,
    });
    const dialled: string[] = [];
    const closes: number[] = [];
    service = createSocketService({
      ...socketOptionsFromSettings(settings),
      WebSocket: (url) => {
        dialled.push(new URL(url).searchParams.get('token') ?? '');
        const ws = new WebSocket(url);
        ws.on('close', (code) => closes.push(code));
        return ws as unknown as globalThis.WebSocket;
      },
      reconnect: { min: 100, max: 500 },
    });
    const got: EventEnvelope[] = [];
    service.on('event', (event) => got.push(event));
    service.start();
    await waitFor(() => service?.status.get().centralConnected === true, 10_000, 'connect');

    // The upgrade: central now signs (and checks) socket tokens with a secret of its own.
    await stack.killDaphne();
    await waitFor(() => service?.status.get().centralConnected === false, 10_000, 'down');
    await stack.startDaphne({ KS_SOCKET_TOKEN_SECRET: 'the-upgraded-central-socket-secret-32b' });
    await waitFor(() => closes.includes(4401), 15_000, 'central refusing the old token');
    await waitFor(
      () => service?.status.get().centralConnected === true && dialled.at(-1) !== dialled[0],
      15_000,
      'a reconnect with the new token',
    );
    // Every refused attempt carried the old token; the one accepted, the refreshed one.
    const firstNew = dialled.findIndex((token) => token !== dialled[0]);
    expect(dialled.slice(firstNew).every((token) => token === dialled.at(-1))).toBe(true);

    // A web order through central's checkout reaches the kitchen over central's socket.
    const order = centralOrder(1);
    const response = await fetch(`${stack.url}/api/public/order-groups/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': order.order_id },
      body: JSON.stringify({ outlet_id: 1, orders: [order] }),
    });
    expect(response.status).toBe(201);
    await waitFor(() => got.some((e) => e.order_id === order.order_id), 10_000, 'the web order');
  });
});
