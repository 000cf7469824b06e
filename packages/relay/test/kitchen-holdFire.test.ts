import type { KitchenCommandAck, OrderLine, OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, removeTempDirs, tokenFor } from './helpers.js';
import {
  eventsOf,
  lineStatuses,
  MIN,
  type RestartableRelay,
  startRestartable,
  waitForEvents,
} from './kitchenHelpers.js';

let t: RestartableRelay;
afterEach(async () => {
  await t?.close();
  removeTempDirs();
});

// The relay's clock; it also judges tokens, so it starts at the real time and only moves on.
let clock = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

const items = [
  { product_id: 1, name: 'Soup', quantity: 1, course: 1 },
  { product_id: 2, name: 'Steak', quantity: 1, course: 2 },
  { product_id: 3, name: 'Cake', quantity: 1, course: 3 },
];

async function screens() {
  clock = Date.now();
  t = await startRestartable({ now: () => clock });
  const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
  const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
  return { pos, kitchen };
}

describe('hold & fire with the relay clock', () => {
  it('holds a course at publish, shows it held, fires it when fire_at comes', async () => {
    const { pos, kitchen } = await screens();
    const fireAt = clock + 15 * MIN;
    const o = order({ items, hold: [{ course: 2, fire_at: iso(fireAt) }] });
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
    await waitForEvents(kitchen, 'new_order');
    const published = eventsOf(kitchen, 'new_order')[0]!.data;
    expect(lineStatuses(published)).toEqual(['pending', 'held', 'pending']);
    expect((published.items as OrderLine[])[1]!.fire_at).toBe(iso(fireAt));
    expect(published).not.toHaveProperty('hold');

    const heldLine = `${o.order_id}:1`;
    expect(
      await kitchen.request('order:item_update', {
        order_id: o.order_id,
        line_id: heldLine,
        status: 'ready',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_transition' } });

    clock = fireAt - 1;
    expect(await t.relay.fireDueHolds()).toBe(0);
    clock = fireAt;
    expect(await t.relay.fireDueHolds()).toBe(1);
    expect(await t.relay.fireDueHolds()).toBe(0);
    await waitForEvents(kitchen, 'order_fired');
    const fired = eventsOf(kitchen, 'order_fired');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.origin).toBe('relay');
    expect(lineStatuses(fired[0]!.data)).toEqual(['pending', 'pending', 'pending']);
    expect((fired[0]!.data.items as OrderLine[])[1]).toMatchObject({
      fired_at: iso(fireAt),
      version: 2,
    });
    expect(
      await kitchen.request('order:item_update', {
        order_id: o.order_id,
        line_id: heldLine,
        status: 'ready',
      }),
    ).toMatchObject({ ok: true, duplicate: false });
  });

  it('keeps a scheduled fire through a restart', async () => {
    const { pos } = await screens();
    const fireAt = clock + 20 * MIN;
    const o = order({ items, hold: [{ course: 3, fire_at: iso(fireAt) }] });
    await pos.request('order:publish', o);
    await t.restart();
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    // Moved just before the call, so the relay's own 1 s check cannot take the fire first.
    clock = fireAt + MIN;
    expect(await t.relay.fireDueHolds()).toBe(1);
    await waitForEvents(kitchen, 'order_fired');
    expect(lineStatuses(t.relay.store.getOrder(o.order_id)!.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
  });

  it('lets a POS hold, fire and rush; a repeat changes nothing', async () => {
    const { pos, kitchen } = await screens();
    const o = order({ items });
    await pos.request('order:publish', o);
    const hold = await pos.request<KitchenCommandAck>('order:hold', {
      order_id: o.order_id,
      course: 3,
    });
    expect(hold).toMatchObject({ ok: true, version: 2, duplicate: false });
    const again = await pos.request<KitchenCommandAck>('order:hold', {
      order_id: o.order_id,
      course: 3,
    });
    expect(again).toMatchObject({ ok: true, seq: 0, version: 2, duplicate: true });
    expect(again.ok && lineStatuses(again.order!)).toEqual(['pending', 'pending', 'held']);
    // A hold without fire_at never fires by itself.
    clock += 60 * MIN;
    expect(await t.relay.fireDueHolds()).toBe(0);
    expect(await pos.request('order:rush', { order_id: o.order_id })).toMatchObject({
      ok: true,
      version: 3,
    });
    // Expo fires the next course.
    expect(await kitchen.request('order:fire', { order_id: o.order_id, course: 3 })).toMatchObject({
      ok: true,
      version: 4,
    });
    await waitForEvents(kitchen, 'order_fired');
    const types = kitchen.events().map((e) => e.type);
    expect(types).toEqual(['new_order', 'order_held', 'order_rushed', 'order_fired']);
    const last = kitchen.events().at(-1)!.data as OrderState;
    expect(last).toMatchObject({ priority: 'rush', version: 4 });
    expect(lineStatuses(last)).toEqual(['pending', 'pending', 'pending']);
  });

  // An event_id names one change: sent again with another command, answering with the first
  // command's event would skip this one without a word.
  it("refuses an event_id reused by another command on the same order, and keeps a repeat's answer", async () => {
    const { pos } = await screens();
    const o = order({ items, hold: [{ course: 3 }] } as never);
    await pos.request('order:publish', o);
    const eventId = crypto.randomUUID();
    const rush = await pos.request('order:rush', { order_id: o.order_id, event_id: eventId });
    expect(rush).toMatchObject({ ok: true, duplicate: false });
    expect(
      await pos.request('order:rush', { order_id: o.order_id, event_id: eventId }),
    ).toMatchObject({ ok: true, duplicate: true });
    expect(
      await pos.request('order:fire', { order_id: o.order_id, course: 3, event_id: eventId }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    // Fired with its own id, it is applied.
    expect(await pos.request('order:fire', { order_id: o.order_id, course: 3 })).toMatchObject({
      ok: true,
      duplicate: false,
    });
  });

  it('recalls a bumped line within the window only', async () => {
    const { pos, kitchen } = await screens();
    const o = order({ items: items.slice(0, 2) });
    await pos.request('order:publish', o);
    for (const i of [0, 1]) {
      await kitchen.request('order:item_update', {
        order_id: o.order_id,
        line_id: `${o.order_id}:${i}`,
        status: 'ready',
      });
    }
    expect(t.relay.store.getOrder(o.order_id)!.state.status).toBe('ready');
    clock += 9 * MIN;
    expect(
      await kitchen.request('order:recall', { order_id: o.order_id, line_id: `${o.order_id}:0` }),
    ).toMatchObject({ ok: true, duplicate: false });
    expect(t.relay.store.getOrder(o.order_id)!.state.status).toBe('preparing');
    clock += 2 * MIN;
    expect(
      await kitchen.request('order:recall', { order_id: o.order_id, line_id: `${o.order_id}:1` }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_transition' } });
  });
});
