import type { CaughtUpMessage, EventEnvelope, SnapshotMessage } from '@kitchen-sync/protocol';
import { expectTypeOf } from 'vitest';
import type { EventSource, RequestAck, SocketService } from '../../../src/socket/types.js';

declare const socket: SocketService;

socket.on('event', (event, source) => {
  expectTypeOf(event).toEqualTypeOf<EventEnvelope>();
  expectTypeOf(source).toEqualTypeOf<EventSource>();
});
socket.on('new_order', (event) => {
  expectTypeOf(event).toEqualTypeOf<EventEnvelope>();
});
socket.on('sync:snapshot', (snapshot) => {
  expectTypeOf(snapshot).toEqualTypeOf<SnapshotMessage>();
});
socket.on('sync:caught_up', (caughtUp) => {
  expectTypeOf(caughtUp).toEqualTypeOf<CaughtUpMessage>();
});
expectTypeOf(socket.on('order_updated', () => {})).toEqualTypeOf<() => void>();
expectTypeOf(socket.request('order:publish', {})).resolves.toEqualTypeOf<RequestAck>();

// @ts-expect-error not an event of the service
socket.on('order_deleted', () => {});
// @ts-expect-error not a request the relay takes
void socket.request('order:delete', {});
