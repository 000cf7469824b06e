// A kiosk highlights the refused field from `issues[].path`: whichever check of the relay
// refused it, an item's field is named the protocol's one way (`items.0.name`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let t: TestRelay;
let pos: TestClient;
beforeEach(async () => {
  t = await startRelay();
  pos = await connected(t.url, { token: await tokenFor('pos') });
});
afterEach(async () => {
  await t.close();
});

const item = { product_id: 1, name: 'Teh', quantity: 1 };
const withSecondItem = (patch: Record<string, unknown>) =>
  order({ items: [item, { ...item, ...patch }] as never });

const refusals: Array<[string, () => unknown, string]> = [
  ['the schema (a name that is not text)', () => withSecondItem({ name: 7 }), 'items.1.name'],
  ['the text check (a NUL in a name)', () => withSecondItem({ name: 'Teh\u0000' }), 'items.1.name'],
  [
    'the key check (a prototype key in an item)',
    // Parsed from text, as off the wire: an own `__proto__` key, not a prototype.
    () => JSON.parse(JSON.stringify(withSecondItem({ x: 1 })).replace('"x":1', '"__proto__":{}')),
    'items.1.__proto__',
  ],
];

const pathsOf = (answer: { error?: { issues?: Array<{ path: string }> } }) =>
  (answer.error?.issues ?? []).map((issue) => issue.path);

describe('issues[].path names an item field as items.<index>.<field>', () => {
  it.each(refusals)('by socket, %s', async (_name, payload, path) => {
    const answer = (await pos.request('order:publish', payload())) as never;
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(pathsOf(answer)).toEqual([path]);
  });

  // Not the key check: the HTTP parser refuses a body with `__proto__` before the relay reads it.
  it.each(refusals.slice(0, 2))('over HTTP, %s', async (_name, payload, path) => {
    const answer = await http(t.url, '/api/events', {
      token: await tokenFor('pos'),
      raw: JSON.stringify({ type: 'order:publish', payload: payload() }),
    });
    expect(answer.status).toBe(400);
    expect(pathsOf(answer.body)).toEqual([path]);
  });
});
