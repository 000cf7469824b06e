import WebSocket from 'ws';

/**
 * The benchmark's Socket.IO client: Engine.IO 4 over a WebSocket (no polling, no upgrade)
 * and Socket.IO 5 text packets in the main namespace, straight on `ws`. The relay sees the
 * same handshake, auth, packets and acks as from socket.io-client.
 *
 * Why not socket.io-client: the generator shares two cores with the relay it measures, and
 * socket.io-client turns each ~1 KB frame into strings and objects — about 4 KB of garbage
 * per delivery at 25,000 deliveries a second, a young-generation collection every 75 ms
 * that holds every kitchen's timestamp back, and ~40 % of a core. Here an `event` frame
 * reaches its listener as the Buffer `ws` read, and the listener reads what it needs.
 */

export interface BenchSocketOptions {
  token: string;
  clientId: string;
  timeoutMs?: number;
}

type AckListener = (ack: unknown) => void;
export type EventFrameListener = (frame: Buffer) => void;

// Engine.IO packet types are the first character of a frame, Socket.IO's the second.
const EIO_OPEN = 0x30;
const EIO_CLOSE = 0x31;
const EIO_PING = 0x32;
const EIO_MESSAGE = 0x34;
const SIO_DISCONNECT = 0x31;
const SIO_EVENT = 0x32;
const SIO_ACK = 0x33;
const SIO_CONNECT_ERROR = 0x34;

const EVENT_FRAME_PREFIX = Buffer.from('42["event",');
const CAUGHT_UP_PREFIX = '42["sync:caught_up",';

export class BenchSocket {
  /** Called with every `event` frame (`42["event",{…}]`) after `sync:caught_up`. */
  onEvent: EventFrameListener | null = null;
  caughtUp: unknown = null;
  private nextAckId = 0;
  private readonly acks = new Map<number, AckListener>();

  private constructor(private readonly ws: WebSocket) {}

  /** Resolves once the relay has sent `sync:caught_up`, so every later `event` is live. */
  static connect(baseUrl: string, options: BenchSocketOptions): Promise<BenchSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    const socket = new BenchSocket(ws);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`no sync:caught_up within ${timeoutMs} ms`), timeoutMs);
      const fail = (reason: string) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`${options.clientId}: ${reason}`));
      };
      ws.on('error', (error) => fail(error.message));
      ws.on('close', () => fail('closed during the handshake'));
      ws.on('message', (data: Buffer) => {
        const frame = data.toString();
        if (frame.charCodeAt(0) === EIO_OPEN) {
          ws.send(`40${JSON.stringify({ token: options.token, client_id: options.clientId })}`);
        } else if (frame.charCodeAt(0) === EIO_PING) {
          ws.send('3');
        } else if (frame.startsWith('44')) {
          fail(`connect refused: ${frame.slice(2)}`);
        } else if (frame.startsWith(CAUGHT_UP_PREFIX)) {
          clearTimeout(timer);
          socket.caughtUp = (JSON.parse(frame.slice(2)) as unknown[])[1];
          ws.removeAllListeners();
          socket.listen();
          resolve(socket);
        }
      });
    });
  }

  /** Sends `42<id>["<event>",<dataJson>]`; `onAck` gets the relay's ack. */
  emit(event: string, dataJson: string, onAck: AckListener): void {
    const id = this.nextAckId++;
    this.acks.set(id, onAck);
    this.ws.send(`42${id}["${event}",${dataJson}]`);
  }

  emitWithAck(event: string, data: unknown): Promise<unknown> {
    return new Promise((resolve) => this.emit(event, JSON.stringify(data), resolve));
  }

  /** Emits still waiting for their ack. */
  get pendingAcks(): number {
    return this.acks.size;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }

  private listen(): void {
    this.ws.on('error', () => {
      // A socket that fails mid-run shows up as lost deliveries and missing acks.
    });
    this.ws.on('message', (frame: Buffer) => {
      const engineType = frame[0];
      if (engineType === EIO_MESSAGE) this.onPacket(frame);
      else if (engineType === EIO_PING) this.ws.send('3');
      else if (engineType === EIO_CLOSE) this.ws.terminate();
    });
  }

  private onPacket(frame: Buffer): void {
    const packetType = frame[1];
    if (packetType === SIO_EVENT) {
      if (this.onEvent && isEventFrame(frame)) this.onEvent(frame);
    } else if (packetType === SIO_ACK) {
      this.onAck(frame);
    } else if (packetType === SIO_DISCONNECT || packetType === SIO_CONNECT_ERROR) {
      // The relay ended the session; the benchmark never reconnects mid-run.
      this.ws.terminate();
    }
  }

  private onAck(frame: Buffer): void {
    let id = 0;
    let at = 2;
    for (let c = frame[at]; c !== undefined && c >= 0x30 && c <= 0x39; c = frame[++at]) {
      id = id * 10 + (c - 0x30);
    }
    const listener = this.acks.get(id);
    if (!listener) return;
    this.acks.delete(id);
    listener((JSON.parse(frame.toString('utf8', at)) as unknown[])[0]);
  }
}

function isEventFrame(frame: Buffer): boolean {
  const length = EVENT_FRAME_PREFIX.length;
  return frame.length > length && frame.compare(EVENT_FRAME_PREFIX, 0, length, 0, length) === 0;
}
