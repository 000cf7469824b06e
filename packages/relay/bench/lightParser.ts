/**
 * A Socket.IO parser (the `parser` option of socket.io-client) for the benchmark's kitchen
 * sockets. The load generator shares two cores with the relay, and JSON.parse of every
 * ~1 KB order envelope on 50 kitchens was a third of its CPU; this parser hands an `event`
 * packet to the listener as `{ seq, type, order_id }` read straight from the frame and
 * parses every other packet in full. One kitchen keeps the stock parser and checks the
 * whole envelope. Text packets only (the relay sends no binary).
 */

export interface LightEvent {
  seq: number | null;
  type: string | null;
  order_id: string | null;
}

interface Packet {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

const EVENT_PREFIX = '2["event",';

export class Encoder {
  encode(packet: Packet): string[] {
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
    const data = packet.data === undefined ? '' : JSON.stringify(packet.data);
    return [`${packet.type}${nsp}${packet.id ?? ''}${data}`];
  }
}

type Listener = (packet: Packet) => void;

export class Decoder {
  private listeners: Listener[] = [];

  on(event: string, listener: Listener): this {
    if (event === 'decoded') this.listeners.push(listener);
    return this;
  }

  off(event?: string, listener?: Listener): this {
    if (event === undefined || listener === undefined) this.listeners = [];
    else this.listeners = this.listeners.filter((l) => l !== listener);
    return this;
  }

  add(frame: unknown): void {
    if (typeof frame !== 'string') throw new Error('binary packets are not supported');
    const packet = frame.startsWith(EVENT_PREFIX)
      ? { type: 2, nsp: '/', data: ['event', readEvent(frame)] }
      : decodeFully(frame);
    for (const listener of this.listeners) listener(packet);
  }

  destroy(): void {
    this.listeners = [];
  }
}

function readEvent(frame: string): LightEvent {
  return {
    seq: readNumber(frame, 'seq":'),
    type: readString(frame, 'type":"'),
    order_id: readString(frame, 'order_id":"'),
  };
}

/**
 * Where `"<key>` starts, searched for without its opening quote: V8 anchors a search on the
 * pattern's first character, and `"` is every few characters of JSON, which made a search for
 * `"seq":` ~0.9 µs when the relay writes `seq` after `data` (the durable relay does) against
 * ~0.03 µs when it comes first: a cost of the key order falling on the generator, which shares
 * the cores with the relay it measures. Without the quote either order costs the same.
 */
function keyAt(frame: string, key: string): number {
  for (let at = frame.indexOf(key); at > 0; at = frame.indexOf(key, at + 1)) {
    if (frame.charCodeAt(at - 1) === QUOTE) return at;
  }
  return -1;
}

const QUOTE = 34;

// The first occurrence: the envelope's own key, or `data`'s `order_id`, which is the same.
function readString(frame: string, key: string): string | null {
  const at = keyAt(frame, key);
  if (at < 0) return null;
  const start = at + key.length;
  const end = frame.indexOf('"', start);
  return end < 0 ? null : frame.slice(start, end);
}

function readNumber(frame: string, key: string): number | null {
  const at = keyAt(frame, key);
  if (at < 0) return null;
  const value = Number.parseInt(frame.slice(at + key.length, at + key.length + 20), 10);
  return Number.isNaN(value) ? null : value;
}

function decodeFully(frame: string): Packet {
  const type = Number(frame[0]);
  if (!Number.isInteger(type) || type > 4) throw new Error(`unsupported packet type ${frame[0]}`);
  let i = 1;
  let nsp = '/';
  if (frame[i] === '/') {
    const comma = frame.indexOf(',', i);
    nsp = frame.slice(i, comma < 0 ? frame.length : comma);
    i = comma < 0 ? frame.length : comma + 1;
  }
  let digits = '';
  while (i < frame.length && frame[i]! >= '0' && frame[i]! <= '9') digits += frame[i++];
  const rest = frame.slice(i);
  return {
    type,
    nsp,
    ...(digits ? { id: Number(digits) } : {}),
    ...(rest ? { data: JSON.parse(rest) } : {}),
  };
}
