import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  fieldPath,
  findUnsafe,
  issuePath,
  OrderSchema,
  pathWithin,
  ROOT_PATH,
  validate,
} from '../src/index.js';
import { fromJson, orderWithItem } from './fixtures.js';

const pathsOf = (result: ReturnType<typeof validate>) =>
  result.ok ? [] : (result.error.issues ?? []).map((issue) => issue.path);

describe('issuePath', () => {
  it('joins keys and array indexes with dots', () => {
    expect(issuePath(['items', 0, 'name'])).toBe('items.0.name');
    expect(issuePath([0, '__proto__'])).toBe('0.__proto__');
  });

  it('names the message itself (root)', () => {
    expect(issuePath([])).toBe(ROOT_PATH);
  });

  it('is what fieldPath builds one step at a time', () => {
    const steps = ['ext', 'tiers', 2, 'label'] as const;
    expect(steps.reduce<string>(fieldPath, '')).toBe(issuePath(steps));
  });

  it('puts a path under the place its value sits in a larger body', () => {
    expect(pathWithin('orders.1', 'items.0.name')).toBe('orders.1.items.0.name');
    expect(pathWithin('orders.1', ROOT_PATH)).toBe('orders.1');
  });
});

describe("every check of validate() names an item's field the same way", () => {
  it('a schema failure in an item', () => {
    expect(pathsOf(validate(OrderSchema, orderWithItem({ name: 7 })))).toEqual(['items.0.name']);
  });

  it('a forbidden key in an item', () => {
    const order = JSON.stringify(orderWithItem({}));
    const json = order.replace('"name":', '"__proto__":{"x":1},"name":');
    expect(pathsOf(validate(OrderSchema, fromJson(json)))).toEqual(['items.0.__proto__']);
    expect(findUnsafe(fromJson(json))).toMatchObject({ path: 'items.0.__proto__' });
  });

  it('nesting too deep inside an array', () => {
    const result = validate(v.unknown(), { items: [{ a: { b: {} } }] }, 3);
    expect(pathsOf(result)).toEqual(['items.0.a']);
  });
});
