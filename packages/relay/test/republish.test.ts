import type { Order, OrderState, PublishAck } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import { http, order, peek, tokenFor } from './helpers.js';
import { lineStatuses } from './kitchenHelpers.js';
import { usePosAndKitchen } from './posAndKitchen.js';

// Orders are not edited by publishing them again. A POS whose re-publish (an added line) was
// answered `duplicate: true` showed it delivered while the kitchen never saw the new line.

const s = usePosAndKitchen();

const soup = { product_id: 1, name: 'Soup', quantity: 1, course: 1 };
const steak = { product_id: 2, name: 'Steak', quantity: 1, course: 2, station: 'grill' };

function twoCourses(): Order {
  return order({ items: [soup, steak], hold: [{ course: 2 }], priority: 'normal' });
}

const stored = (orderId: string) =>
  peek(s.t.relay, (store) => store.getOrder(orderId)?.state as OrderState | undefined);

/** Publishes another order and waits for the kitchen to get it: what came before it came. */
async function barrier() {
  const next = order();
  await s.pos.request('order:publish', next);
  await s.kitchen.waitFor(() => s.kitchen.events().some((e) => e.order_id === next.order_id));
  return next.order_id;
}

describe('publishing an order the relay has', () => {
  it('is a duplicate when it says the same, however it is spelled and whatever the kitchen did since', async () => {
    const o = twoCourses();
    expect(await s.pos.request('order:publish', o)).toEqual({ ok: true, seq: 1, duplicate: false });
    const lineId = `${o.order_id}:0`;
    const moves = [
      s.kitchen.request('order:item_update', {
        order_id: o.order_id,
        line_id: lineId,
        status: 'ready',
      }),
      s.kitchen.request('order:ack', { order_id: o.order_id }),
      s.pos.request('order:rush', { order_id: o.order_id }),
      s.pos.request('order:fire', { order_id: o.order_id, course: 2 }),
    ];
    for (const move of moves) expect(await move).toMatchObject({ ok: true, duplicate: false });
    const before = await s.t.relay.reader.countEvents();

    const retries: Record<string, unknown> = {
      'as sent': o,
      'in upper case, keys in another order, outlet as a string': Object.fromEntries(
        Object.entries({ ...o, order_id: o.order_id.toUpperCase(), outlet_id: '1' }).reverse(),
      ),
      'with line ids spelled out and state the relay owns': {
        ...o,
        event_id: crypto.randomUUID(),
        version: 9,
        received_at: '2000-01-01T00:00:00.000Z',
        acknowledged_by: ['someone'],
        status_reason: 'x',
        items: o.items.map((item, index) => ({
          ...item,
          line_id: `${o.order_id.toUpperCase()}:${index}`,
          status: 'ready',
          version: 4,
        })),
      },
    };
    for (const [how, retry] of Object.entries(retries)) {
      const ack = await s.pos.request<PublishAck>('order:publish', retry);
      expect({ how, ack }).toEqual({ how, ack: { ok: true, seq: 1, duplicate: true } });
    }
    expect(await s.t.relay.reader.countEvents()).toBe(before);
    // The kitchen's state stands: rushed, a line ready, course 2 fired.
    const state = (await stored(o.order_id))!;
    expect(state.priority).toBe('rush');
    expect(lineStatuses(state)).toEqual(['ready', 'pending']);
  });

  it.each<[string, (o: Order) => Order]>([
    ['a line added', (o) => ({ ...o, items: [...o.items, { ...soup, name: 'Bread' }] })],
    ['a line removed', (o) => ({ ...o, items: [o.items[1]!] })],
    ['a quantity changed', (o) => ({ ...o, items: [{ ...soup, quantity: 2 }, steak] })],
    ['a line id given', (o) => ({ ...o, items: [{ ...soup, line_id: 'soup' }, steak] })],
    ['a field added', (o) => ({ ...o, notes: 'no onions' })],
    ['the priority changed', (o) => ({ ...o, priority: 'rush' })],
    ['another tenant', (o) => ({ ...o, tenant_id: 4 })],
  ])('refuses it with %s as order_conflict: nothing stored, nothing broadcast', async (_, edit) => {
    const o = twoCourses();
    await s.pos.request('order:publish', o);
    const refused = await s.pos.request<PublishAck>('order:publish', edit(o));
    expect(refused).toMatchObject({ ok: false, error: { code: 'order_conflict' } });
    const next = await barrier();
    expect(s.kitchen.events().map((e) => e.order_id)).toEqual([o.order_id, next]);
    expect((await stored(o.order_id))?.items).toHaveLength(2);
    expect(await s.t.relay.reader.countEvents()).toBe(2);
  });

  it('answers an edit over HTTP with 422 order_conflict, a retry with the duplicate', async () => {
    const token = await tokenFor('pos');
    const o = twoCourses();
    const publish = (payload: unknown) =>
      http(s.t.url, '/api/events', { token, body: { type: 'order:publish', payload } });
    expect((await publish(o)).body).toEqual({ ok: true, seq: 1, duplicate: false });
    expect((await publish({ ...o })).body).toEqual({ ok: true, seq: 1, duplicate: true });
    const added = { ...o, items: [...o.items, { ...soup, name: 'Bread' }] };
    const refused = await publish(added);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('order_conflict');
    const emitted = await http(s.t.url, '/emit', { token, body: added });
    expect(emitted.status).toBe(422);
    expect(emitted.body.error.code).toBe('order_conflict');
    expect((await stored(o.order_id))?.items).toHaveLength(2);
  });

  it('refuses an event_id of another command on the order, whatever the content', async () => {
    const o = twoCourses();
    await s.pos.request('order:publish', o);
    const eventId = crypto.randomUUID();
    await s.pos.request('order:rush', { order_id: o.order_id, event_id: eventId });
    expect(await s.pos.request('order:publish', { ...o, event_id: eventId })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
