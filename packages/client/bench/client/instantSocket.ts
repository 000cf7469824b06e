import type { EventEnvelope, RequestType, SnapshotMessage } from '@kitchen-sync/protocol';
import type {
  Cursor,
  RequestAck,
  SocketListener,
  SocketListenerType,
  SocketService,
  SocketStatus,
} from '../../src/socket/types.js';
import { writable } from '../../src/store.js';

const UP: SocketStatus = {
  mode: 'connected',
  centralConnected: false,
  localConnected: true,
  isPolling: false,
  lastConnected: 0,
  error: null,
};

/** A connected socket whose relay acks every request at once; the bench pushes events. */
export class InstantSocket implements SocketService {
  readonly status = writable<SocketStatus>(UP);
  readonly cursor = writable<Cursor>({ since: 0, epoch: null });
  requests = 0;
  readonly #listeners = new Map<string, Array<(...args: unknown[]) => void>>();

  async request(_type: RequestType, _payload: unknown): Promise<RequestAck> {
    this.requests++;
    return { ok: true, seq: this.requests, duplicate: false };
  }

  on<K extends SocketListenerType>(type: K, fn: SocketListener<K>): () => void {
    const list = this.#listeners.get(type) ?? [];
    list.push(fn as (...args: unknown[]) => void);
    this.#listeners.set(type, list);
    return () => {};
  }

  emitEvent(event: EventEnvelope): void {
    for (const fn of this.#listeners.get('event') ?? []) fn(event, 'local');
  }

  emitSnapshot(snapshot: SnapshotMessage): void {
    for (const fn of this.#listeners.get('sync:snapshot') ?? []) fn(snapshot, 'local');
  }

  start(): void {}
  stop(): void {}
  connectCentral(): void {}
  connectLocal(): void {}
  startPolling(): void {}
  stopPolling(): void {}
  isConnected(): boolean {
    return true;
  }
}
