import { type OrderState, orderLines } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, removeTempDirs, tokenFor } from './helpers.js';
import {
  lineStatuses,
  type RestartableRelay,
  startRestartable,
  waitForEvents,
} from './kitchenHelpers.js';

let t: RestartableRelay;
afterEach(async () => {
  await t?.close();
  removeTempDirs();
});

// Table 7: satay now, nasi goreng held for later.
const items = [
  { product_id: 1, name: 'Sate ayam', quantity: 1, course: 1, station: 'grill' },
  { product_id: 2, name: 'Nasi goreng', quantity: 2, course: 2, station: 'wok' },
];

async function table7() {
  t = await startRestartable();
  const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
  const expo = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
  const o = order({ items, hold: [{ course: 2 }] });
  expect(await pos.request('order:publish', o)).toMatchObject({ ok: true });
  await waitForEvents(expo, 'new_order');
  expect(
    await expo.request('order:item_update', {
      order_id: o.order_id,
      line_id: `${o.order_id}:0`,
      status: 'ready',
    }),
  ).toMatchObject({ ok: true });
  return { pos, expo, orderId: o.order_id };
}

describe('an order-level bump while a course is held', () => {
  it('is refused naming the course; the course is still fired and cooked after', async () => {
    const { pos, expo, orderId } = await table7();
    const before = t.relay.store.countEvents();
    const stateBefore = t.relay.store.getOrder(orderId)!.state;
    expect(lineStatuses(stateBefore)).toEqual(['ready', 'held']);
    expect(
      await expo.request('order:update', {
        order_id: orderId,
        status: 'ready',
        version: stateBefore.version,
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_transition',
        message: 'course 2 is held: fire it first, or cancel the order',
      },
    });
    expect(t.relay.store.countEvents()).toBe(before);
    expect(t.relay.store.getOrder(orderId)!.state).toEqual(stateBefore);

    // The POS fires the mains: a change, not a "duplicate" of a fire that never was.
    expect(await pos.request('order:fire', { order_id: orderId, course: 2 })).toMatchObject({
      ok: true,
      duplicate: false,
    });
    await waitForEvents(expo, 'order_fired');
    expect(lineStatuses(t.relay.store.getOrder(orderId)!.state)).toEqual(['ready', 'pending']);
    expect(
      await expo.request('order:update', { order_id: orderId, status: 'ready' }),
    ).toMatchObject({ ok: true, duplicate: false });
    const served = t.relay.store.getOrder(orderId)!.state;
    expect(lineStatuses(served)).toEqual(['ready', 'ready']);
    // The POS outbox sending its fire again is a repeat now: the course was fired.
    expect(await pos.request('order:fire', { order_id: orderId, course: 2 })).toMatchObject({
      ok: true,
      seq: 0,
      duplicate: true,
    });
  });

  it('still lets the order be cancelled with the course held', async () => {
    const { pos, orderId } = await table7();
    expect(
      await pos.request('order:update', { order_id: orderId, status: 'cancelled' }),
    ).toMatchObject({ ok: true, duplicate: false });
    expect(t.relay.store.getOrder(orderId)!.state.status).toBe('cancelled');
  });

  it('refuses a fire of a course an older relay marked ready unfired, and keeps the order readable', async () => {
    const { pos, expo, orderId } = await table7();
    // As a relay before this fix stored it: expo's bump took the held nasi to ready.
    const stored = t.relay.store.getOrder(orderId)!;
    const legacy: OrderState = {
      ...stored.state,
      status: 'ready',
      version: stored.state.version + 1,
      status_version: stored.state.version + 1,
      items: orderLines(stored.state).map((line) => ({
        ...line,
        status: 'ready',
        version: line.status === 'ready' ? line.version : line.version + 1,
      })),
    };
    t.relay.store.putOrder({ ...stored, state: legacy });
    expect(await pos.request('order:fire', { order_id: orderId, course: 2 })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_transition',
        message: 'nothing to fire: course 2 is not held and was never fired',
      },
    });
    expect(t.relay.store.getOrder(orderId)!.state).toEqual(legacy);
    // Handing it out (or a recall) still works on what it stored.
    expect(
      await expo.request('order:update', { order_id: orderId, status: 'completed' }),
    ).toMatchObject({ ok: true, duplicate: false });
  });
});
