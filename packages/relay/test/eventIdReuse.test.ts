import type { Order, OrderState } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import { order, peek } from './helpers.js';
import { usePosAndKitchen } from './posAndKitchen.js';

// An event_id names one change. Sent again with another command of the same order (an app
// bug, a collision), answering it as a retry of the first skipped the second unseen: a
// cancel carrying a bump's id was `{ ok: true, duplicate: true }` and the order cooked on.

const s = usePosAndKitchen();

type Command = (o: Order, eventId: string) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  publish: (o, event_id) => s.pos.request('order:publish', { ...o, event_id }),
  'update preparing': (o, event_id) =>
    s.pos.request('order:update', { order_id: o.order_id, status: 'preparing', event_id }),
  'update cancelled': (o, event_id) =>
    s.pos.request('order:update', { order_id: o.order_id, status: 'cancelled', event_id }),
  ack: (o, event_id) => s.kitchen.request('order:ack', { order_id: o.order_id, event_id }),
  item_update: (o, event_id) =>
    s.kitchen.request('order:item_update', {
      order_id: o.order_id,
      line_id: `${o.order_id}:0`,
      status: 'preparing',
      event_id,
    }),
  hold: (o, event_id) => s.pos.request('order:hold', { order_id: o.order_id, course: 2, event_id }),
  rush: (o, event_id) => s.pos.request('order:rush', { order_id: o.order_id, event_id }),
};

const twoCourses = () =>
  order({
    items: [
      { product_id: 1, name: 'Soup', quantity: 1, course: 1 },
      { product_id: 2, name: 'Steak', quantity: 1, course: 2 },
    ],
  });

const stateOf = (orderId: string) =>
  peek(s.t.relay, (store) => store.getOrder(orderId)?.state as OrderState | undefined);

describe('an event_id already used by another command of the same order', () => {
  it.each<[string, string]>([
    ['item_update', 'update cancelled'],
    ['update preparing', 'ack'],
    ['ack', 'update cancelled'],
    ['publish', 'update cancelled'],
    ['publish', 'ack'],
    ['update preparing', 'item_update'],
    ['update preparing', 'publish'],
    ['rush', 'update preparing'],
    ['ack', 'hold'],
  ])('%s, then %s: refused as invalid_payload, nothing changes', async (first, second) => {
    const o = twoCourses();
    const eventId = crypto.randomUUID();
    if (first !== 'publish') await s.pos.request('order:publish', o);
    expect(await COMMANDS[first]!(o, eventId)).toMatchObject({ ok: true, duplicate: false });
    const before = await stateOf(o.order_id);
    const count = await s.t.relay.reader.countEvents();

    expect(await COMMANDS[second]!(o, eventId)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await stateOf(o.order_id)).toEqual(before);
    expect(await s.t.relay.reader.countEvents()).toBe(count);
  });

  it.each(Object.keys(COMMANDS))('%s sent again with its event_id is a duplicate', async (name) => {
    const o = twoCourses();
    const eventId = crypto.randomUUID();
    if (name !== 'publish') await s.pos.request('order:publish', o);
    const first = await COMMANDS[name]!(o, eventId);
    expect(first).toMatchObject({ ok: true, duplicate: false });
    const count = await s.t.relay.reader.countEvents();
    expect(await COMMANDS[name]!(o, eventId)).toMatchObject({
      ok: true,
      seq: (first as { seq: number }).seq,
      duplicate: true,
    });
    expect(await s.t.relay.reader.countEvents()).toBe(count);
  });
});
