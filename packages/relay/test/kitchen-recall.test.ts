import type { KitchenCommandAck, OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connected,
  order,
  peek,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';
import { eventsOf, lineStatuses, waitForEvents } from './kitchenHelpers.js';

// A whole-ticket recall names the order's version as the expo screen saw it at the bump; what
// moved the version since without a status change (a kitchen's late ack, a rush) must not
// make it stale. On SQLite, and on PostgreSQL in the relay-postgres project.
let t: TestRelay;
afterEach(async () => {
  await t?.close();
});

const items = [
  { product_id: 1, name: 'Steak', quantity: 1, station: 'grill' },
  { product_id: 2, name: 'Fries', quantity: 2, station: 'fry' },
];

const kitchenToken = (sub: string) => tokenFor('kitchen', { tenants: [3], sub });

/** A POS, two kitchens and an expo screen; the order is published and both lines bumped. */
async function bumpedTicket() {
  t = await startRelay();
  const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
  const grill = await connected(t.url, { token: await kitchenToken('kds-grill') });
  const fry = await connected(t.url, { token: await kitchenToken('kds-fry') });
  const expo = await connected(t.url, { token: await kitchenToken('kds-expo') });
  const o = order({ items });
  await pos.request('order:publish', o);
  for (const index of [0, 1]) {
    await grill.request('order:item_update', {
      order_id: o.order_id,
      line_id: `${o.order_id}:${index}`,
      status: 'ready',
    });
  }
  await waitForEvents(expo, 'order_item_updated', 2);
  const seen = eventsOf(expo, 'order_item_updated').at(-1)!.data;
  expect(seen.status).toBe('ready');
  return { pos, grill, fry, expo, orderId: o.order_id, seenVersion: seen.version };
}

type Ticket = Awaited<ReturnType<typeof bumpedTicket>>;

const recall = (c: TestClient, orderId: string, version: number) =>
  c.request<KitchenCommandAck>('order:recall', { order_id: orderId, version });

describe('a whole-ticket recall through the relay', () => {
  it.each([
    [
      'a kitchen acknowledges late',
      (s: Ticket) => s.fry.request('order:ack', { order_id: s.orderId }),
    ],
    ['the POS rushes it', (s: Ticket) => s.pos.request('order:rush', { order_id: s.orderId })],
  ])('is applied when, after the bump, %s', async (_name, moveVersion) => {
    const ticket = await bumpedTicket();
    const { grill, fry, expo, orderId, seenVersion } = ticket;
    await moveVersion(ticket);
    const moved = await peek(t.relay, (store) => store.getOrder(orderId)!.state);
    expect(moved.version).toBe(seenVersion + 1);

    const answer = await recall(expo, orderId, seenVersion);
    expect(answer).toMatchObject({ ok: true, duplicate: false, version: seenVersion + 2 });
    expect(answer.ok && answer.stale).toBeFalsy();
    for (const kitchen of [grill, fry, expo]) {
      await waitForEvents(kitchen, 'order_recalled');
      const recalled = eventsOf(kitchen, 'order_recalled')[0]!.data;
      expect(recalled).toMatchObject({ status: 'preparing', version: seenVersion + 2 });
      expect(lineStatuses(recalled)).toEqual(['preparing', 'preparing']);
    }
  });

  it('is stale when another recall and a new bump came after the bump it names', async () => {
    const { grill, expo, orderId, seenVersion } = await bumpedTicket();
    expect(await recall(grill, orderId, seenVersion)).toMatchObject({ ok: true, duplicate: false });
    for (const index of [0, 1]) {
      await grill.request('order:item_update', {
        order_id: orderId,
        line_id: `${orderId}:${index}`,
        status: 'ready',
      });
    }
    const answer = await recall(expo, orderId, seenVersion);
    expect(answer).toMatchObject({ ok: true, duplicate: true, stale: true, seq: 0 });
    const current = await peek(t.relay, (store) => store.getOrder(orderId)!.state);
    expect(answer.ok && (answer.order as OrderState)).toEqual(current);
    expect(current.status).toBe('ready');
    expect(eventsOf(grill, 'order_recalled')).toHaveLength(1);
  });

  it('keeps status_version to the relay: a POS cannot publish one, nor conflict a retry with it', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
    const o = { ...order({ items }), status_version: 99 };
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true, duplicate: false });
    const stored = await peek(t.relay, (store) => store.getOrder(o.order_id)!.state);
    expect(stored).toMatchObject({ version: 1, status_version: 1 });
    expect(await pos.request('order:publish', o)).toMatchObject({ ok: true, duplicate: true });
  });
});
