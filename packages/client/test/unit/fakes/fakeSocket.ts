import type {
  CaughtUpMessage,
  EventEnvelope,
  RequestType,
  SnapshotMessage,
} from '@kitchen-sync/protocol';
import { KitchenSyncError } from '../../../src/errors.js';
import { DISCONNECTED } from '../../../src/socket/socketService.js';
import type {
  CentralCursor,
  CentralCursorSource,
  Cursor,
  CursorSource,
  EventSource,
  RequestAck,
  SocketListener,
  SocketListenerType,
  SocketService,
  SocketStatus,
} from '../../../src/socket/types.js';
import { writable } from '../../../src/store.js';

export interface RecordedRequest {
  type: RequestType;
  payload: unknown;
}

export type RequestHandler = (request: RecordedRequest) => RequestAck | Promise<RequestAck>;

/** A SocketService double: tests drive its status, answer its requests and push events. */
export class FakeSocket implements SocketService {
  readonly status = writable<SocketStatus>(DISCONNECTED);
  readonly cursor = writable<Cursor>({ since: 0, epoch: null });
  readonly requests: RecordedRequest[] = [];
  readonly centralCursor = writable<CentralCursor | null>(null);
  cursorSource: CursorSource | null = null;
  centralCursorSource: CentralCursorSource | null = null;
  handler: RequestHandler = () => ({ ok: true, seq: this.requests.length, duplicate: false });
  readonly #listeners = new Map<string, Set<(...args: never[]) => void>>();

  setLocal(up: boolean): void {
    this.status.set({
      ...this.status.get(),
      mode: up ? 'connected' : 'disconnected',
      localConnected: up,
    });
  }

  async request(type: RequestType, payload: unknown): Promise<RequestAck> {
    if (!this.status.get().localConnected) {
      throw new KitchenSyncError('network', 'no local socket');
    }
    const request = { type, payload: structuredClone(payload) };
    this.requests.push(request);
    return this.handler(request);
  }

  on<K extends SocketListenerType>(type: K, fn: SocketListener<K>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    set.add(fn as never);
    return () => {
      set.delete(fn as never);
    };
  }

  emitEvent(event: EventEnvelope, source: EventSource = 'local', centralSeq?: number): void {
    this.#emit('event', event, source, centralSeq);
  }

  emitCentralReset(seq: number | null, eventId?: string): void {
    this.#emit('central:reset', { seq, event_id: eventId });
  }

  emitCentralCaughtUp(seq: number, eventId?: string): void {
    this.#emit('central:caught_up', { seq, event_id: eventId });
  }

  emitSnapshot(snapshot: SnapshotMessage, source: EventSource = 'local'): void {
    this.#emit('sync:snapshot', snapshot, source);
  }

  emitCaughtUp(caughtUp: CaughtUpMessage, source: EventSource = 'local'): void {
    this.#emit('sync:caught_up', caughtUp, source);
  }

  listenerCount(type: string): number {
    return this.#listeners.get(type)?.size ?? 0;
  }

  #emit(type: string, ...args: unknown[]): void {
    for (const fn of this.#listeners.get(type) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }

  useCursor(source: CursorSource): void {
    this.cursorSource = source;
  }

  useCentralCursor(source: CentralCursorSource): void {
    this.centralCursorSource = source;
  }

  start(): void {}
  stop(): void {}
  connectCentral(): void {}
  connectLocal(): void {}
  startPolling(): void {}
  stopPolling(): void {}
  isConnected(): boolean {
    return this.status.get().localConnected;
  }
}
