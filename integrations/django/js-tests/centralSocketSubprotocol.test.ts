import {
  createSocketService,
  loadOutletSettings,
  type SocketService,
  socketOptionsFromSettings,
} from '@kitchen-sync/client';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { launchChromium } from '../../../test-support/chromium.js';
import { centralOrder } from './harness/centralOrder.js';
import { DjangoStack } from './harness/djangoStack.js';
import { waitFor } from './harness/waitFor.js';

// The settings view marks websocket_url with token_in=subprotocol; the consumer reads the token
// from `kitchen-sync.bearer.<token>` and accepts with `kitchen-sync`, refusals too: Chromium
// fails a handshake that offered subprotocols and got none back (1006, never the 4401).

let stack: DjangoStack;
let browser: Browser;
let page: Page;
let service: SocketService | undefined;

beforeAll(async () => {
  stack = await new DjangoStack().start();
  browser = await launchChromium();
  // A page of central's own origin (the consumer checks it), with no app on it.
  page = await browser.newPage();
  await page.goto(`${stack.url}/health`);
});

afterAll(async () => {
  service?.stop();
  await browser?.close();
  await stack?.stop();
});

async function kitchenSocketUrl(): Promise<URL> {
  const response = await fetch(`${stack.url}/api/tenants/outlets/1/?tenant=1&device=kds-grill`);
  return new URL(((await response.json()) as { websocket_url: string }).websocket_url);
}

interface Outcome {
  protocol: string;
  first?: unknown;
  closed?: number;
}

/** Chromium's WebSocket: the accepted subprotocol and the first frame, or the close code. */
function inChromium(url: string, protocols?: string[]): Promise<Outcome> {
  return page.evaluate(
    ([url, protocols]) =>
      new Promise<Outcome>((resolve) => {
        // globalThis: this file's `WebSocket` is the ws package's, rewritten into an import.
        const Native = globalThis.WebSocket;
        const socket = protocols ? new Native(url, protocols) : new Native(url);
        socket.onmessage = (event) => {
          resolve({ protocol: socket.protocol, first: JSON.parse(String(event.data)) });
          socket.close();
        };
        socket.onclose = (event) => resolve({ protocol: socket.protocol, closed: event.code });
      }),
    [url, protocols] as const,
  );
}

describe("central's socket token as a subprotocol (daphne + the kitchen_sync consumer)", () => {
  it('Chromium opens the socket with the token offered, the URL without it', async () => {
    const url = await kitchenSocketUrl();
    expect(url.searchParams.get('token_in')).toBe('subprotocol');
    const token = url.searchParams.get('token') ?? '';
    url.searchParams.delete('token');
    url.searchParams.delete('token_in');
    expect(
      await inChromium(url.toString(), ['kitchen-sync', `kitchen-sync.bearer.${token}`]),
    ).toEqual({
      protocol: 'kitchen-sync',
      first: { type: 'caught_up', seq: expect.any(Number) },
    });
  });

  it('Chromium reads 4401 for a forged token offered, not a failed handshake', async () => {
    const url = await kitchenSocketUrl();
    url.search = '';
    expect(
      await inChromium(url.toString(), ['kitchen-sync', 'kitchen-sync.bearer.eyJforged.x.y']),
    ).toEqual({ protocol: 'kitchen-sync', closed: 4401 });
  });

  it('a client from before (Chromium dials websocket_url as it is) still opens it', async () => {
    const url = await kitchenSocketUrl();
    expect(await inChromium(url.toString())).toEqual({
      protocol: '',
      first: { type: 'caught_up', seq: expect.any(Number) },
    });
  });

  it('the socket service wired from the settings dials without the token and gets the web order', async () => {
    const settings = await loadOutletSettings({
      apiUrl: stack.url,
      outletId: 1,
      query: { tenant: 1, device: 'kds-grill' },
      storage: null,
    });
    const dialled: Array<[string, string[] | undefined]> = [];
    service = createSocketService({
      ...socketOptionsFromSettings(settings),
      WebSocket: (url, protocols) => {
        dialled.push([url, protocols]);
        return new WebSocket(url, protocols) as unknown as globalThis.WebSocket;
      },
      reconnect: { min: 100, max: 500 },
    });
    const got: EventEnvelope[] = [];
    service.on('event', (event) => got.push(event));
    service.start();
    await waitFor(() => service?.status.get().centralConnected === true, 10_000, 'connect');
    expect(dialled.map(([url]) => new URL(url).searchParams.has('token'))).toEqual([false]);
    expect(dialled[0]?.[1]?.[1]).toMatch(/^kitchen-sync\.bearer\.eyJ/);

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
