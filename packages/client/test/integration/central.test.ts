import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { WebSocketLike } from '../../src/socket/centralTransport.js';
import { createSocketService, type SocketServiceOptions } from '../../src/socket/socketService.js';
import type { SocketService } from '../../src/socket/types.js';
import { waitFor } from '../unit/socket/waitFor.js';

/** A stand-in for the users' Django Channels consumer: `{ event, data }` out, ping → pong. */
class ChannelsServer {
  readonly wss: WebSocketServer;
  readonly paths: string[] = [];
  readonly received: unknown[] = [];
  answerPings = true;

  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (socket, request) => {
      this.paths.push(request.url ?? '');
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { type?: string; timestamp?: unknown };
        this.received.push(message);
        if (message.type === 'ping' && this.answerPings) {
          socket.send(JSON.stringify({ type: 'pong', timestamp: message.timestamp }));
        }
      });
    });
  }

  async ready(): Promise<string> {
    if (!this.wss.address()) await new Promise((resolve) => this.wss.once('listening', resolve));
    return `http://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  broadcast(event: string, data: unknown): void {
    for (const client of this.wss.clients) client.send(JSON.stringify({ event, data }));
  }

  dropAll(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

let server: ChannelsServer | undefined;
let service: SocketService | undefined;

async function setup(overrides: Partial<SocketServiceOptions> = {}) {
  server = new ChannelsServer();
  const base = await server.ready();
  service = createSocketService({
    outletId: 7,
    centralUrl: base,
    WebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    reconnect: { min: 50, max: 200 },
    ...overrides,
  });
  const events: EventEnvelope[] = [];
  service.on('event', (e) => events.push(e));
  service.start();
  await waitFor(() => service?.status.get().centralConnected === true, 5_000, 'central connect');
  return { server, service, events };
}

afterEach(async () => {
  service?.stop();
  service = undefined;
  await server?.close();
  server = undefined;
});

describe('central transport against a real WebSocket server', () => {
  it('joins ws/outlet/{id}/ and receives { event, data } frames, de-duplicated', async () => {
    const { server, service, events } = await setup();
    expect(server.paths).toEqual(['/ws/outlet/7/']);
    expect(service.status.get().mode).toBe('connected');
    const order = {
      order_id: '0190f1e0-0000-7000-8000-000000000001',
      status: 'pending',
      tenant_id: 3,
    };
    server.broadcast('new_order', order);
    server.broadcast('new_order', order);
    server.broadcast('order_updated', { ...order, status: 'preparing' });
    await waitFor(() => events.length >= 2, 5_000, 'two events');
    expect(events.map((e) => [e.type, e.event_id, e.outlet_id])).toEqual([
      ['new_order', `new_order:${order.order_id}:pending`, 7],
      ['order_updated', `order_updated:${order.order_id}:preparing`, 7],
    ]);
  });

  it('keeps the link alive with ping/pong', async () => {
    const { server, service } = await setup({ pingIntervalMs: 50, pongTimeoutMs: 500 });
    await waitFor(
      () => server.received.filter((m) => (m as { type?: string }).type === 'ping').length >= 4,
      5_000,
      'four pings',
    );
    expect(server.paths).toHaveLength(1);
    expect(service.status.get().centralConnected).toBe(true);
  });

  it('reconnects when pongs stop, and when the server drops the connection', async () => {
    const { server, service, events } = await setup({ pingIntervalMs: 50, pongTimeoutMs: 100 });
    const errors: string[] = [];
    service.status.subscribe((s) => {
      if (s.error) errors.push(s.error.code);
    });
    server.answerPings = false;
    await waitFor(() => server.paths.length >= 2, 5_000, 'reconnect after missed pong');
    expect(errors).toContain('timeout');
    server.answerPings = true;
    await waitFor(() => service.status.get().centralConnected, 5_000, 'connected again');

    // Every connection opened from here on has only seen answered pings.
    const before = server.paths.length;
    server.dropAll();
    await waitFor(
      () =>
        server.paths.length > before &&
        server.wss.clients.size === 1 &&
        service.status.get().centralConnected,
      5_000,
      'reconnect after drop',
    );
    server.broadcast('order_cancelled', {
      order_id: '0190f1e0-0000-7000-8000-000000000009',
      status: 'cancelled',
      event_id: '0190f1e0-0000-7000-8000-0000000000ff',
    });
    await waitFor(() => events.length === 1, 5_000, 'event after reconnect');
    expect(events[0]?.event_id).toBe('0190f1e0-0000-7000-8000-0000000000ff');
  });
});
