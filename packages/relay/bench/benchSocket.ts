import { openWsConnection, type WsConnection } from './wsConnection.js';

/**
 * The benchmark's Socket.IO client: Socket.IO 5 packets in the main namespace over an
 * Engine.IO 4 WebSocket (no polling, no upgrade), on the generator's own WebSocket
 * (`wsConnection.ts`). The relay sees the same handshake, auth, packets and acks as from
 * socket.io-client.
 *
 * Why not socket.io-client: the generator shares two cores with the relay it measures, and
 * socket.io-client turns each ~1 KB frame into strings and objects — about 4 KB of garbage
 * per delivery at 25,000 deliveries a second, a young-generation collection every 75 ms
 * that holds every kitchen's receive time back. Here an `event` frame reaches its listener
 * as bytes, and the listener reads what it needs.
 */
export interface BenchSocketOptions {
  token: string;
  clientId: string;
  timeoutMs?: number;
  /** For an `https://` relay: the CA its certificate chains to. */
  ca?: string;
}

type AckListener = (ack: unknown) => void;
/** Gets an `event` frame's bytes, valid only during the call (see wsConnection.ts). */
export type EventFrameListener = (frame: Buffer) => void;

// Engine.IO packet types are the first character of a frame, Socket.IO's the second.
const EIO_OPEN = 0x30;
const EIO_CLOSE = 0x31;
const EIO_PING = 0x32;
const EIO_MESSAGE = 0x34;
const SIO_CONNECT = 0x30;
const SIO_DISCONNECT = 0x31;
const SIO_EVENT = 0x32;
const SIO_ACK = 0x33;
const SIO_CONNECT_ERROR = 0x34;

const EVENT_FRAME_PREFIX = Buffer.from('42["event",');
const CAUGHT_UP_PREFIX = Buffer.from('42["sync:caught_up",');

export class BenchSocket {
  /** Called with every `event` frame (`42["event",{…}]`) after `sync:caught_up`. */
  onEvent: EventFrameListener | null = null;
  caughtUp: unknown = null;
  private ws: WsConnection | null = null;
  private nextAckId = 0;
  private readonly acks = new Map<number, AckListener>();
  private onReady: ((error?: Error) => void) | null = null;

  private constructor(private readonly options: BenchSocketOptions) {}

  /** Resolves once the relay has sent `sync:caught_up`, so every later `event` is live. */
  static async connect(baseUrl: string, options: BenchSocketOptions): Promise<BenchSocket> {
    const url = new URL(baseUrl);
    const socket = new BenchSocket(options);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => socket.onReady?.(new Error(`no sync:caught_up within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.onReady = (error) => {
        clearTimeout(timer);
        socket.onReady = null;
        if (!error) return resolve();
        socket.close();
        reject(new Error(`${options.clientId}: ${error.message}`));
      };
    });
    socket.ws = openWsConnection(
      url.hostname,
      Number(url.port),
      '/socket.io/?EIO=4&transport=websocket',
      {
        onFrame: (frame) => socket.onFrame(frame),
        onClose: (reason) => socket.onReady?.(new Error(reason)),
      },
      url.protocol === 'https:' ? { ca: options.ca ?? '' } : undefined,
    );
    socket.ws.ready.catch((error: Error) => socket.onReady?.(error));
    await ready;
    return socket;
  }

  /** Sends `42<id>["<event>",<dataJson>]`; `onAck` gets the relay's ack. */
  emit(event: string, dataJson: string, onAck: AckListener): void {
    const id = this.nextAckId++;
    this.acks.set(id, onAck);
    this.ws?.send(`42${id}["${event}",${dataJson}]`);
  }

  emitWithAck(event: string, data: unknown): Promise<unknown> {
    return new Promise((resolve) => this.emit(event, JSON.stringify(data), resolve));
  }

  /** Emits still waiting for their ack. */
  get pendingAcks(): number {
    return this.acks.size;
  }

  close(): void {
    this.ws?.close();
  }

  private onFrame(frame: Buffer): void {
    const engineType = frame[0];
    if (engineType === EIO_MESSAGE) this.onPacket(frame);
    else if (engineType === EIO_PING) this.ws?.send('3');
    else if (engineType === EIO_OPEN) this.sendConnect();
    else if (engineType === EIO_CLOSE) this.close();
  }

  private sendConnect(): void {
    const auth = { token: this.options.token, client_id: this.options.clientId };
    this.ws?.send(`40${JSON.stringify(auth)}`);
  }

  private onPacket(frame: Buffer): void {
    const packetType = frame[1];
    if (packetType === SIO_EVENT) {
      if (startsWith(frame, EVENT_FRAME_PREFIX)) this.onEvent?.(frame);
      else if (this.onReady && startsWith(frame, CAUGHT_UP_PREFIX)) {
        this.caughtUp = (JSON.parse(frame.toString('utf8', 2)) as unknown[])[1];
        this.onReady();
      }
    } else if (packetType === SIO_ACK) {
      this.onAck(frame);
    } else if (packetType === SIO_CONNECT_ERROR) {
      this.onReady?.(new Error(`connect refused: ${frame.toString('utf8', 2)}`));
      this.close();
    } else if (packetType === SIO_DISCONNECT) {
      // The relay ended the session; the benchmark never reconnects mid-run.
      this.close();
    } else if (packetType !== SIO_CONNECT) {
      this.onReady?.(new Error(`unexpected packet ${frame.toString('utf8', 0, 40)}`));
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

function startsWith(frame: Buffer, prefix: Buffer): boolean {
  const length = prefix.length;
  return frame.length > length && frame.compare(prefix, 0, length, 0, length) === 0;
}
