import { createHash, randomBytes } from 'node:crypto';
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, DEFAULT_CIPHERS } from 'node:tls';

/**
 * The smallest WebSocket client the load generator needs (RFC 6455, text frames), on a TCP
 * socket that reads into one reused buffer.
 *
 * Why not `ws`: every read of a Node socket allocates a fresh 64 KB buffer, and 70 sockets
 * receiving a frame per order read ~35,000 times a second. Freeing those buffers made the
 * generator's young-generation collections ~2 ms pauses every ~250 ms — about 1 % of the
 * time, exactly the share a p99 measures — during which no kitchen's receive time is taken.
 * With `onread` every read lands in the same buffer and a frame is handed to its listener as
 * a view of it, valid only during the call.
 *
 * Limits, fine for a relay on loopback: no fragmented messages, no extensions. TLS (`wss://`)
 * when asked, on the same reused read buffer.
 */
export interface WsConnection {
  /** Settles when the server has switched protocols, or has refused to. */
  readonly ready: Promise<void>;
  /** Sends one text frame (masked, as a client must). */
  send(text: string): void;
  close(): void;
}

export interface WsHandlers {
  /** A whole text frame; the Buffer is a view of the shared read buffer, valid during the call. */
  onFrame(frame: Buffer): void;
  onClose(reason: string): void;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const HEADER_END = Buffer.from('\r\n\r\n');

// Reads of every connection land here: the event loop runs one read callback at a time, and
// each callback consumes its bytes (or copies an unfinished frame) before it returns.
const sharedReadBuffer = Buffer.allocUnsafe(256 * 1024);

/**
 * The TLS 1.3 suites in Chrome's order (Safari and Firefox also put AES-128-GCM first). The
 * relay's server takes the client's order, so a browser kitchen gets AES-128-GCM; Node's own
 * client puts AES-256-GCM first, a cipher the outlet's devices would not be using.
 */
const BROWSER_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  ...DEFAULT_CIPHERS.split(':').filter((name) => !name.startsWith('TLS_')),
].join(':');

/** `wss://`: the CA the server's certificate must chain to (verified, never skipped). */
export interface WsTlsOptions {
  ca: string;
}

/**
 * Opens `ws://host:port/path` (or `wss://` with `tls`). Returned at once, so a listener can
 * answer the frames that arrive in the same read as the server's handshake.
 */
export function openWsConnection(
  host: string,
  port: number,
  path: string,
  handlers: WsHandlers,
  tls?: WsTlsOptions,
): WsConnection {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  const { promise: ready, resolve, reject } = promiseWithResolvers();
  let upgraded = false;
  let closed = false;
  // Bytes of an unfinished handshake or frame, kept across reads (a copy, rarely needed).
  let pending: Buffer | null = null;

  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    if (upgraded) handlers.onClose(reason);
    else reject(new Error(reason));
  };

  const onHandshake = (data: Buffer): number => {
    const end = data.indexOf(HEADER_END);
    if (end < 0) return 0;
    const head = data.toString('latin1', 0, end);
    if (!/^HTTP\/1\.1 101 /.test(head) || !head.includes(accept)) {
      finish(`no WebSocket upgrade: ${head.split('\r\n')[0]}`);
      return data.length;
    }
    upgraded = true;
    resolve();
    return end + HEADER_END.length;
  };

  /** Hands every whole frame in `data` to the listener; returns the bytes consumed. */
  const onFrames = (data: Buffer): number => {
    let at = 0;
    while (!closed && data.length - at >= 2) {
      const first = data[at]!;
      const second = data[at + 1]!;
      let length = second & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (data.length - start < length) break;
      const payload = data.subarray(start, start + length);
      at = start + length;
      const opcode = first & 0x0f;
      if ((first & 0x80) === 0 || (second & 0x80) !== 0) finish('fragmented or masked frame');
      else if (opcode === OP_TEXT) handlers.onFrame(payload);
      else if (opcode === OP_PING) write(OP_PONG, payload);
      else if (opcode === OP_CLOSE) finish('closed by the server');
    }
    return at;
  };

  const onRead = (nread: number, buffer: Buffer): boolean => {
    let data = buffer.subarray(0, nread);
    if (pending) {
      data = Buffer.concat([pending, data]);
      pending = null;
    }
    let used = upgraded ? 0 : onHandshake(data);
    if (upgraded) used += onFrames(data.subarray(used));
    if (!closed && used < data.length) pending = Buffer.from(data.subarray(used));
    return true;
  };

  const options = {
    host,
    port,
    noDelay: true,
    onread: { buffer: sharedReadBuffer, callback: onRead },
  };
  const socket: Socket = tls
    ? // SNI takes a name, never an address; the certificate is still checked against `host`.
      connectTls({
        ...options,
        ca: tls.ca,
        ciphers: BROWSER_CIPHERS,
        ...(isIP(host) ? {} : { servername: host }),
      })
    : connect(options);
  // tls.connect() ignores `noDelay` on Node 20 and 22 (24 honours it): without this every wss:// POS and kitchen
  // ran with Nagle's algorithm on, which a browser never does, and the TLS relay's p99 took the
  // generator's delayed segments for its own.
  if (tls) socket.setNoDelay(true);
  socket.on('error', (error) => finish(error.message));
  socket.on('close', () => finish('connection closed'));
  socket.on(tls ? 'secureConnect' : 'connect', () => {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });

  function write(opcode: number, payload: Buffer): void {
    if (closed) return;
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
    frame[0] = 0x80 | opcode;
    if (lengthBytes === 0) frame[1] = 0x80 | length;
    else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const maskAt = 2 + lengthBytes;
    randomBytes(4).copy(frame, maskAt);
    for (let i = 0; i < length; i++) {
      frame[maskAt + 4 + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
    }
    socket.write(frame);
  }

  return {
    ready,
    send: (text) => write(OP_TEXT, Buffer.from(text)),
    close: () => {
      if (closed) return;
      write(OP_CLOSE, Buffer.alloc(0));
      closed = true;
      socket.end();
    },
  };
}

// Promise.withResolvers arrived in Node 22.
function promiseWithResolvers() {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
