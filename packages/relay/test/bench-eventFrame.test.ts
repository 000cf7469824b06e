import { describe, expect, it } from 'vitest';
import { parseEventFrame, readEventFields } from '../bench/eventFrame.js';

const data = {
  order_id: 'o-1',
  items: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${i}` })),
};
const head = { seq: 41, type: 'new_order', order_id: 'o-1' };
const frame = (envelope: unknown) => Buffer.from(`42["event",${JSON.stringify(envelope)}]`);

describe("the load generator's event frame reader", () => {
  it.each([
    ['header keys first (the plain relay)', { ...head, data }],
    ['seq after data (the durable relay)', { type: 'new_order', order_id: 'o-1', data, seq: 41 }],
    ['keys that end other keys', { order_type: 'x', sub_order_id: 'no', ...head, data }],
    ['a short frame', { ...head, data: {} }],
  ])('reads seq, type and order_id with %s', (_, envelope) => {
    expect(readEventFields(frame(envelope))).toEqual(head);
  });

  it('reads a multi-digit seq and stops at the end of the number', () => {
    expect(readEventFields(frame({ ...head, seq: 1_234_567 })).seq).toBe(1_234_567);
  });

  it('gives null for what the frame lacks', () => {
    expect(readEventFields(frame({ seq: null, type: 'presence' }))).toEqual({
      seq: null,
      type: 'presence',
      order_id: null,
    });
  });

  it('parses the whole envelope for the kitchen that checks every one', () => {
    const envelope = { ...head, data };
    expect(parseEventFrame(frame(envelope))).toEqual(envelope);
  });
});
