/**
 * The parts of engine.io's WebSocket transport the relay's write patches touch (private API,
 * engine.io 6 over ws 8): in one place, so an upgrade of either has one file to check.
 */
export interface EngineTransport {
  name: string;
  writable: boolean;
  send(packets: unknown[]): void;
  socket?: { _socket?: RawSocket };
}

/** The Node socket under a WebSocket connection. */
export interface RawSocket {
  cork(): void;
  uncork(): void;
  destroyed: boolean;
  writableNeedDrain: boolean;
}

/** The Node socket of a WebSocket transport; `undefined` for long-polling. */
export function rawWebSocket(transport: EngineTransport): RawSocket | undefined {
  return transport.name === 'websocket' ? transport.socket?._socket : undefined;
}
