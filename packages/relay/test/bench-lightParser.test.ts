import { describe, expect, it } from 'vitest';
import { Decoder } from '../bench/lightParser.js';

function decode(frame: string): unknown {
  const decoder = new Decoder();
  let packet: unknown;
  decoder.on('decoded', (p) => {
    packet = p;
  });
  decoder.add(frame);
  return packet;
}

const data = {
  order_id: 'o-1',
  items: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${i}` })),
};
const head = { seq: 41, type: 'new_order', order_id: 'o-1' };

describe("the load generator's light parser", () => {
  it.each([
    ['header keys first (the plain relay)', { ...head, data }],
    ['seq after data (the durable relay)', { type: 'new_order', order_id: 'o-1', data, seq: 41 }],
    ['keys that end other keys', { order_type: 'x', sub_order_id: 'no', ...head, data }],
    ['a short frame', { ...head, data: {} }],
  ])('reads seq, type and order_id with %s', (_, envelope) => {
    const frame = `2["event",${JSON.stringify(envelope)}]`;
    expect(decode(frame)).toEqual({
      type: 2,
      nsp: '/',
      data: ['event', { seq: 41, type: 'new_order', order_id: 'o-1' }],
    });
  });

  it('decodes every other packet in full', () => {
    expect(decode('3430[{"ok":true,"seq":7}]')).toEqual({
      type: 3,
      nsp: '/',
      id: 430,
      data: [{ ok: true, seq: 7 }],
    });
  });
});
