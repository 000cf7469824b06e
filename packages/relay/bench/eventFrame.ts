/**
 * Reads what the load generator needs from an `event` frame (`42["event",{…}]`) without
 * decoding it: `seq`, `type` and `order_id`, straight from the bytes. JSON-parsing ~1 KB on
 * 50 kitchens was a third of the generator's CPU; one kitchen still parses every envelope
 * in full and checks it (`parseEventFrame`).
 */

export interface EventFields {
  seq: number | null;
  type: string | null;
  order_id: string | null;
}

export function readEventFields(frame: Buffer): EventFields {
  return {
    seq: readNumber(frame, 'seq":'),
    type: readString(frame, 'type":"'),
    order_id: readString(frame, 'order_id":"'),
  };
}

/** The whole envelope, for the kitchen that checks every one. */
export function parseEventFrame(frame: Buffer): unknown {
  return (JSON.parse(frame.toString('utf8', 2)) as unknown[])[1];
}

const QUOTE = 0x22;

/**
 * Where `"<key>` starts, searched for without its opening quote: a search is anchored on the
 * pattern's first character, and `"` is every few characters of JSON, which made a search for
 * `"seq":` ~30 times slower when the relay writes `seq` after `data` (the durable relay does)
 * than when it comes first: a cost of the key order falling on the generator, which shares
 * the cores with the relay it measures. Without the quote either order costs the same.
 */
function keyAt(frame: Buffer, key: string): number {
  for (let at = frame.indexOf(key); at > 0; at = frame.indexOf(key, at + 1)) {
    if (frame[at - 1] === QUOTE) return at;
  }
  return -1;
}

// The first occurrence: the envelope's own key, or `data`'s `order_id`, which is the same.
function readString(frame: Buffer, key: string): string | null {
  const at = keyAt(frame, key);
  if (at < 0) return null;
  const start = at + key.length;
  const end = frame.indexOf(QUOTE, start);
  return end < 0 ? null : frame.toString('latin1', start, end);
}

function readNumber(frame: Buffer, key: string): number | null {
  const at = keyAt(frame, key);
  if (at < 0) return null;
  let value = 0;
  let digits = 0;
  for (let i = at + key.length; i < frame.length; i++, digits++) {
    const c = frame[i]!;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return digits > 0 ? value : null;
}
