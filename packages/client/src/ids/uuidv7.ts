/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, a 12-bit counter (rand_a), variant 10,
 * 62 random bits. Ids sort by creation time in every index they land in (relay log, IndexedDB,
 * the central database), and stay in order within one millisecond (RFC 9562 §6.2, method 1).
 *
 * Built on `crypto.getRandomValues`, which a page served over plain http from a LAN address
 * has; `crypto.randomUUID` exists only in secure contexts.
 */
let lastMs = -1;
let counter = 0;

const COUNTER_MAX = 0xfff;

export function uuidv7(now: number = Date.now()): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  // A clock that steps back (NTP) or an earlier explicit time must not break the order.
  let ms = Math.max(Math.floor(now), lastMs);
  if (ms === lastMs) {
    counter++;
    if (counter > COUNTER_MAX) {
      // 4,096 ids in one millisecond: borrow the next one rather than repeat an order.
      ms++;
      counter = bytes[6]! & 0x07;
    }
  } else {
    // Seeded low (top bit clear) so a busy millisecond still has room to count up.
    counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!;
  }
  lastMs = ms;
  let rest = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
