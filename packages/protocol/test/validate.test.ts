import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { findUnsafe, idKey, LIMITS, OrderSchema, validate } from '../src/index.js';
import { fromJson, nested, orderWithItem, validOrder } from './fixtures.js';

describe('validate', () => {
  it('returns the parsed value on success', () => {
    const order = validOrder();
    expect(validate(OrderSchema, order)).toEqual({ ok: true, value: order });
  });

  it('returns invalid_payload with the path of every failing field', () => {
    const input = { ...orderWithItem({ quantity: 0 }), order_id: 'nope', total_amount: 5 };
    const result = validate(OrderSchema, input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_payload');
    const paths = result.error.issues?.map((i) => i.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['order_id', 'items.0.quantity', 'total_amount']));
    for (const issue of result.error.issues ?? []) expect(issue.message).not.toBe('');
  });

  it('names the root when the whole input is wrong', () => {
    const result = validate(OrderSchema, 'not an order');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.issues).toEqual([expect.objectContaining({ path: '(root)' })]);
  });

  it('reports at most 20 issues', () => {
    const schema = v.object(
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, v.string()])),
    );
    const result = validate(schema, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues).toHaveLength(20);
  });

  it('refuses a prototype key before the schema runs, even for a schema that allows anything', () => {
    const result = validate(v.unknown(), fromJson('{"a":[{"__proto__":{"isAdmin":true}}]}'));
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid_payload',
        message: expect.any(String),
        issues: [{ path: 'a.0.__proto__', message: expect.any(String) }],
      },
    });
  });

  it.each([
    [LIMITS.MAX_DEPTH, true],
    [LIMITS.MAX_DEPTH + 1, false],
  ])('with the default limit, %i nested objects pass: %s', (depth, ok) => {
    expect(validate(v.unknown(), nested(depth)).ok).toBe(ok);
  });

  it('takes a custom depth limit', () => {
    expect(validate(v.unknown(), nested(3), 3).ok).toBe(true);
    const result = validate(v.unknown(), nested(4), 3);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_payload');
  });

  it('never throws, whatever it is given', () => {
    const inputs: unknown[] = [undefined, null, 0, Number.NaN, '', [], () => 1, Symbol('s'), 10n];
    for (const input of inputs) {
      const result = validate(OrderSchema, input);
      expect(result.ok).toBe(false);
    }
  });
});

describe('findUnsafe', () => {
  it.each<[string, string]>([
    ['a flat object', '{"a":1,"b":"x"}'],
    ['keys that merely contain a forbidden word', '{"proto":1,"__proto":2,"my_constructor":3}'],
    ['forbidden words as values', '{"a":"__proto__","b":["constructor","prototype"]}'],
    ['scalars', '42'],
    ['null', 'null'],
  ])('passes %s', (_name, json) => {
    expect(findUnsafe(fromJson(json))).toBeNull();
  });

  it.each<[string, string, string, string]>([
    ['__proto__ at the root', '{"__proto__":1}', '__proto__', '__proto__'],
    [
      'constructor in an array',
      '{"list":[1,{"constructor":2}]}',
      'constructor',
      'list.1.constructor',
    ],
    ['prototype deep down', '{"a":{"b":{"c":{"prototype":{}}}}}', 'prototype', 'a.b.c.prototype'],
    ['__proto__ in a top-level array', '[{"__proto__":null}]', '__proto__', '0.__proto__'],
  ])('finds %s', (_name, json, key, path) => {
    expect(findUnsafe(fromJson(json))).toEqual({ kind: 'forbidden_key', key, path });
  });

  it('reports nesting past the limit with the path where it stopped', () => {
    expect(findUnsafe(nested(3), 2)).toEqual({ kind: 'too_deep', path: 'a.a' });
    expect(findUnsafe(nested(2), 1)).toEqual({ kind: 'too_deep', path: 'a' });
    expect(findUnsafe({}, 0)).toEqual({ kind: 'too_deep', path: '(root)' });
  });

  it('handles a very deep value without overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafe(deep)).toMatchObject({ kind: 'too_deep' });
  });
});

describe('idKey', () => {
  it.each<[number | string, string]>([
    [1, '1'],
    ['1', '1'],
    ['outlet-a', 'outlet-a'],
    [0, '0'],
  ])('%j → %s', (id, key) => {
    expect(idKey(id)).toBe(key);
  });

  it('makes outlet 1 and outlet "1" the same outlet', () => {
    expect(idKey(1)).toBe(idKey('1'));
    expect(idKey(1)).not.toBe(idKey('01'));
  });
});
