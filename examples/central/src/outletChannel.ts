import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

const PATH = /^\/ws\/outlet\/([^/]+)\/?$/;

interface Subscriber {
  outletId: string;
  /** Absent: every tenant of the outlet (a POS or a monitor). */
  tenantId: string | null;
}

/**
 * The central WebSocket `ws/outlet/{id}/`, shaped like the Django Channels consumer the
 * users run: `{ event, data }` frames out, `{ type: 'ping' }` answered with `{ type: 'pong' }`.
 */
export class OutletChannel {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  #subscribers = new Map<WebSocket, Subscriber>();

  constructor() {
    this.#wss.on('connection', (socket: WebSocket, subscriber: Subscriber) => {
      this.#subscribers.set(socket, subscriber);
      socket.on('close', () => this.#subscribers.delete(socket));
      socket.on('error', () => socket.terminate());
      socket.on('message', (raw) => this.#onMessage(socket, raw.toString()));
    });
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Returns false when the URL is not ours, so the caller can refuse the upgrade. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://central.invalid');
    const match = PATH.exec(url.pathname);
    if (!match?.[1]) return false;
    const subscriber: Subscriber = {
      outletId: decodeURIComponent(match[1]),
      tenantId: url.searchParams.get('tenant'),
    };
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#wss.emit('connection', ws, subscriber);
    });
    return true;
  }

  publish(
    outletId: string | number,
    tenantId: string | number | null,
    event: string,
    data: unknown,
  ): void {
    const frame = JSON.stringify({ event, data });
    for (const [socket, subscriber] of this.#subscribers) {
      if (subscriber.outletId !== String(outletId)) continue;
      if (
        subscriber.tenantId !== null &&
        tenantId !== null &&
        subscriber.tenantId !== String(tenantId)
      ) {
        continue;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    }
  }

  /** An outage drops every socket at once, the way a dead uplink does. */
  dropAll(): void {
    for (const socket of this.#subscribers.keys()) socket.terminate();
    this.#subscribers.clear();
  }

  close(): void {
    this.dropAll();
    this.#wss.close();
  }

  #onMessage(socket: WebSocket, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if ((message as { type?: unknown } | null)?.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong', ts: new Date().toISOString() }));
    }
  }
}
