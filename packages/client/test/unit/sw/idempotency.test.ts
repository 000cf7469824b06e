import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor, orderIdOf } from '../../../src/sw/idempotency.js';

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)).buffer;

describe('idempotencyKeyFor', () => {
  it('takes the header the page set, whatever its case, over the body', () => {
    expect(idempotencyKeyFor({ 'idempotency-key': 'k-1' }, bytes({ order_id: 'o-1' }))).toBe('k-1');
    expect(idempotencyKeyFor({ 'Idempotency-Key': ' k-2 ' }, undefined)).toBe('k-2');
  });

  it("falls back to the body's order_id", () => {
    expect(
      idempotencyKeyFor({ 'content-type': 'application/json' }, bytes({ order_id: 'o-1' })),
    ).toBe('o-1');
    expect(idempotencyKeyFor({ 'idempotency-key': '  ' }, bytes({ order_id: 'o-2' }))).toBe('o-2');
  });

  it('gives null when neither is there', () => {
    expect(idempotencyKeyFor({}, undefined)).toBeNull();
    expect(idempotencyKeyFor({}, bytes({ order_number: 'OFF-1' }))).toBeNull();
  });
});

describe('orderIdOf', () => {
  it('reads a string or integer order_id at the top level', () => {
    expect(orderIdOf(bytes({ order_id: '0190a000-0000-7000-8000-000000000001' }))).toBe(
      '0190a000-0000-7000-8000-000000000001',
    );
    expect(orderIdOf(bytes({ order_id: 42 }))).toBe('42');
  });

  it.each([
    ['not json', 'order_id'],
    ['an array', [{ order_id: 'x' }]],
    ['a nested id', { order: { order_id: 'x' } }],
    ['an empty id', { order_id: '' }],
    ['a fractional id', { order_id: 1.5 }],
    ['an object id', { order_id: { a: 1 } }],
    ['an overlong id', { order_id: 'x'.repeat(129) }],
    ['null', null],
  ])('gives null for %s', (_, body) => {
    expect(orderIdOf(bytes(body))).toBeNull();
  });

  it('gives null for no body', () => {
    expect(orderIdOf(undefined)).toBeNull();
    expect(orderIdOf(new ArrayBuffer(0))).toBeNull();
  });
});
