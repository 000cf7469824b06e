import type { KitchenCommandAck, OrderLine, OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, order, peek, removeTempDirs, type TestClient, tokenFor } from './helpers.js';
import {
  eventsOf,
  lineStatuses,
  type RestartableRelay,
  startRestartable,
  waitForEvents,
} from './kitchenHelpers.js';
import { TEST_STORE } from './sharedPostgres.js';

// On SQLite, and on PostgreSQL in the relay-postgres project (restarts reopen one database).
let t: RestartableRelay;
afterEach(async () => {
  await t?.close();
  removeTempDirs();
});

const items = [
  { product_id: 1, name: 'Steak', quantity: 1, station: 'grill', line_id: 'L-steak' },
  { product_id: 2, name: 'Fries', quantity: 2, station: 'fry' },
];

async function screens() {
  const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
  const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
  return { pos, kitchen };
}

const bump = (c: TestClient, payload: Record<string, unknown>) =>
  c.request<KitchenCommandAck>('order:item_update', payload);

describe('order:item_update through the relay', () => {
  it('bumps lines one by one; the order turns ready with its last line; events carry the order', async () => {
    t = await startRestartable();
    expect(t.relay.store.kind).toBe(TEST_STORE);
    const { pos, kitchen } = await screens();
    const o = order({ items });
    await pos.request('order:publish', o);
    await waitForEvents(kitchen, 'new_order');
    const published = eventsOf(kitchen, 'new_order')[0]!.data;
    expect((published.items as OrderLine[]).map((l) => [l.line_id, l.status, l.version])).toEqual([
      ['L-steak', 'pending', 1],
      [`${o.order_id}:1`, 'pending', 1],
    ]);

    const first = await bump(kitchen, {
      order_id: o.order_id,
      line_id: 'L-steak',
      status: 'ready',
    });
    expect(first).toMatchObject({ ok: true, version: 2, duplicate: false });
    const second = await bump(kitchen, {
      order_id: o.order_id,
      line_id: `${o.order_id}:1`,
      status: 'ready',
      version: 1,
    });
    expect(second).toMatchObject({ ok: true, version: 3, duplicate: false });
    await waitForEvents(pos, 'order_item_updated', 2);
    const [afterFirst, afterSecond] = eventsOf(pos, 'order_item_updated').map((e) => e.data);
    expect(afterFirst).toMatchObject({ status: 'preparing', version: 2 });
    expect(lineStatuses(afterFirst!)).toEqual(['ready', 'pending']);
    expect(afterSecond).toMatchObject({ status: 'ready', version: 3 });
    expect(lineStatuses(afterSecond!)).toEqual(['ready', 'ready']);
    // A v1 status command still works on top: the ready order is completed.
    expect(
      await pos.request('order:update', { order_id: o.order_id, status: 'completed' }),
    ).toMatchObject({
      ok: true,
      version: 4,
    });
  });

  it('answers a repeated event_id with the first answer and logs it once', async () => {
    t = await startRestartable();
    const { pos, kitchen } = await screens();
    const o = order({ items });
    await pos.request('order:publish', o);
    const request = {
      order_id: o.order_id,
      line_id: 'L-steak',
      status: 'preparing',
      event_id: crypto.randomUUID(),
    };
    const first = await bump(kitchen, request);
    const again = await bump(kitchen, request);
    expect(again).toMatchObject({ ok: true, duplicate: true, version: 2 });
    expect(first.ok && again.ok && again.seq).toBe(first.ok && first.seq);
    expect(await t.relay.reader.countEvents()).toBe(2);
  });

  it('keeps line state through a restart; a kitchen resumes from its cursor, a new one gets the snapshot', async () => {
    t = await startRestartable();
    const { pos, kitchen } = await screens();
    const o = order({ items });
    await pos.request('order:publish', o);
    await bump(kitchen, { order_id: o.order_id, line_id: 'L-steak', status: 'ready' });
    await waitForEvents(kitchen, 'order_item_updated');
    const cursor = kitchen.events().at(-1)!.seq!;
    const epoch = t.relay.epoch;

    await t.restart();
    expect(t.relay.store.kind).toBe(TEST_STORE);
    const other = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    expect(
      await bump(other, {
        order_id: o.order_id,
        line_id: `${o.order_id}:1`,
        status: 'ready',
        version: 1,
      }),
    ).toMatchObject({ ok: true, version: 3, duplicate: false });

    const resumed = await connected(t.url, {
      token: await tokenFor('kitchen', { tenants: [3] }),
      since: cursor,
      epoch,
    });
    const backlog = resumed.events();
    expect(backlog.map((e) => e.type)).toEqual(['order_item_updated']);
    expect(lineStatuses(backlog[0]!.data as OrderState)).toEqual(['ready', 'ready']);
    expect((backlog[0]!.data as OrderState).status).toBe('ready');

    const fresh = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    const snapshot = fresh.received.find((r) => r.name === 'sync:snapshot')!.data as {
      orders: OrderState[];
    };
    expect(snapshot.orders.map((s) => [s.order_id, s.status, lineStatuses(s)])).toEqual([
      [o.order_id, 'ready', ['ready', 'ready']],
    ]);
  });

  it('converges when two screens bump the same line at once: one applies, the other is answered with it', async () => {
    t = await startRestartable();
    const { pos } = await screens();
    const grill = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    const expo = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    const o = order({ items });
    await pos.request('order:publish', o);
    // Both saw version 1; one starts the line, the other bumps it straight to ready.
    const answers = await Promise.all([
      bump(grill, { order_id: o.order_id, line_id: 'L-steak', status: 'preparing', version: 1 }),
      bump(expo, { order_id: o.order_id, line_id: 'L-steak', status: 'ready', version: 1 }),
    ]);
    const applied = answers.filter((a) => a.ok && !a.duplicate);
    const lost = answers.filter((a) => a.ok && a.stale);
    expect(applied).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const current = (await peek(t.relay, (store) => store.getOrder(o.order_id)))!.state;
    expect(lost[0]!.ok && lost[0]!.order).toEqual(current);
    await waitForEvents(grill, 'order_item_updated');
    await waitForEvents(expo, 'order_item_updated');
    await waitForEvents(pos, 'order_item_updated');
    expect(eventsOf(grill, 'order_item_updated').at(-1)!.data).toEqual(current);
    expect(eventsOf(expo, 'order_item_updated').at(-1)!.data).toEqual(current);
    expect(eventsOf(pos, 'order_item_updated')).toHaveLength(1);

    // Without versions, two bumps to ready converge too: the second is a duplicate.
    const both = await Promise.all([
      bump(grill, { order_id: o.order_id, line_id: `${o.order_id}:1`, status: 'ready' }),
      bump(expo, { order_id: o.order_id, line_id: `${o.order_id}:1`, status: 'ready' }),
    ]);
    expect(both.map((a) => a.ok && a.duplicate).sort()).toEqual([false, true]);
  });

  it('recalls a ticket two expo screens un-bump at once exactly once', async () => {
    t = await startRestartable();
    const { pos, kitchen } = await screens();
    const expo = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    const o = order({ items });
    await pos.request('order:publish', o);
    await pos.request('order:update', { order_id: o.order_id, status: 'preparing' });
    const ready = await pos.request<{ version: number }>('order:update', {
      order_id: o.order_id,
      status: 'ready',
    });
    const stored = await peek(t.relay, (store) => store.getOrder(o.order_id));
    expect(lineStatuses(stored!.state)).toEqual(['ready', 'ready']);
    const answers = await Promise.all(
      [kitchen, expo].map((c) =>
        c.request<KitchenCommandAck>('order:recall', {
          order_id: o.order_id,
          version: ready.version,
        }),
      ),
    );
    expect(answers.map((a) => a.ok && a.duplicate).sort()).toEqual([false, true]);
    await waitForEvents(pos, 'order_recalled');
    const recalled = eventsOf(pos, 'order_recalled');
    expect(recalled).toHaveLength(1);
    expect(recalled[0]!.data.status).toBe('preparing');
    expect(lineStatuses(recalled[0]!.data)).toEqual(['preparing', 'preparing']);
  });
});
