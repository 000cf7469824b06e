import type { CaughtUpMessage } from '@kitchen-sync/protocol';
import { SOCKET_EVENTS } from '@kitchen-sync/protocol';
import { io, type Socket } from 'socket.io-client';
import * as lightParser from './lightParser.js';

export interface ClientSpec {
  clientId: string;
  token: string;
  /** Decode `event` packets with the light parser (see lightParser.ts). */
  light?: boolean;
}

export interface ConnectedSocket {
  socket: Socket;
  caughtUp: CaughtUpMessage;
}

/**
 * One Socket.IO client, resolved after its `sync:caught_up` (so every later `event` is live).
 * WebSocket only and no reconnection: the benchmark measures one steady connection per
 * client and must stop by itself when a relay goes away.
 */
export function connectClient(
  url: string,
  spec: ClientSpec,
  timeoutMs = 10_000,
): Promise<ConnectedSocket> {
  const socket = io(url, {
    auth: { token: spec.token, client_id: spec.clientId },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
    ...(spec.light ? { parser: lightParser } : {}),
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${spec.clientId}: no sync:caught_up`)),
      timeoutMs,
    );
    function fail(error: Error) {
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    }
    socket.once('connect_error', (error) => fail(new Error(`${spec.clientId}: ${error.message}`)));
    socket.once(SOCKET_EVENTS.CAUGHT_UP, (caughtUp: CaughtUpMessage) => {
      clearTimeout(timer);
      socket.off('connect_error');
      resolve({ socket, caughtUp });
    });
  });
}

/** Connects every spec, `concurrency` handshakes at a time; on any failure closes them all. */
export async function connectAll(
  url: string,
  specs: ClientSpec[],
  concurrency = 50,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < specs.length; i += concurrency) {
      const batch = specs.slice(i, i + concurrency).map((spec) => connectClient(url, spec));
      const settled = await Promise.allSettled(batch);
      for (const result of settled)
        if (result.status === 'fulfilled') sockets.push(result.value.socket);
      const failure = settled.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    }
    return sockets;
  } catch (error) {
    closeAll(sockets);
    throw error;
  }
}

export function closeAll(sockets: Socket[]): void {
  for (const socket of sockets) socket.disconnect();
}
