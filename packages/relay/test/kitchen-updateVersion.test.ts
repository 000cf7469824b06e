import type { OrderState, OrderStatus, UpdateAck } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  peek,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';
import { eventsOf, waitForEvents } from './kitchenHelpers.js';

// Protocol v1.2: an `order:update` may name the order's version as the screen saw it. A second
// step the cook never saw (a double tap, a bouncing bump-bar key: preparing → ready → completed
// on one look at the ticket) is refused `stale` instead of handing out food nobody checked.
// On SQLite, and on PostgreSQL in the relay-postgres project.
let t: TestRelay;
afterEach(async () => {
  await t?.close();
});

const kitchenToken = (sub: string) => tokenFor('kitchen', { tenants: [3], sub });

/** A POS and an expo screen; the order is published and being prepared at `version`. */
async function preparingTicket() {
  t = await startRelay();
  const pos = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
  const expo = await connected(t.url, { token: await kitchenToken('kds-expo') });
  const o = order();
  await pos.request('order:publish', o);
  const started = await step(expo, o.order_id, 'preparing', 1);
  expect(started).toMatchObject({ ok: true, duplicate: false, version: 2 });
  return { pos, expo, orderId: o.order_id, version: 2 };
}

const step = (
  c: TestClient,
  orderId: string,
  status: OrderStatus,
  version?: number,
  eventId?: string,
) =>
  c.request<UpdateAck>('order:update', {
    order_id: orderId,
    status,
    ...(version !== undefined ? { version } : {}),
    ...(eventId !== undefined ? { event_id: eventId } : {}),
  });

const stored = (orderId: string) =>
  peek(t.relay, (store) => store.getOrder(orderId)!.state as OrderState);

describe('order:update with the version the screen saw', () => {
  it('refuses a second step made on the same look at the ticket, with the order as it stands', async () => {
    const { expo, orderId, version } = await preparingTicket();
    expect(await step(expo, orderId, 'ready', version)).toMatchObject({
      ok: true,
      duplicate: false,
      version: version + 1,
    });

    const bounce = await step(expo, orderId, 'completed', version);
    expect(bounce).toMatchObject({ ok: true, seq: 0, duplicate: true, stale: true });
    const current = await stored(orderId);
    expect(current).toMatchObject({ status: 'ready', version: version + 1 });
    expect(bounce.ok && bounce.order).toEqual(current);

    // Once the screen has seen it ready, the hand-out goes.
    expect(await step(expo, orderId, 'completed', version + 1)).toMatchObject({
      ok: true,
      duplicate: false,
    });
    await waitForEvents(expo, 'order_completed');
    expect(eventsOf(expo, 'order_completed')).toHaveLength(1);
  });

  it('applies a step when only an ack and a rush moved the version since', async () => {
    const { pos, orderId, version } = await preparingTicket();
    const grill = await connected(t.url, { token: await kitchenToken('kds-grill') });
    await grill.request('order:ack', { order_id: orderId });
    await pos.request('order:rush', { order_id: orderId });
    expect((await stored(orderId)).version).toBe(version + 2);

    const answer = await step(grill, orderId, 'ready', version);
    expect(answer).toMatchObject({ ok: true, duplicate: false, version: version + 3 });
    expect(answer.ok && answer.stale).toBeFalsy();
    expect(await stored(orderId)).toMatchObject({ status: 'ready', priority: 'rush' });
  });

  it('is stale on a version newer than the order has (a screen of another log)', async () => {
    const { expo, orderId, version } = await preparingTicket();
    expect(await step(expo, orderId, 'ready', version + 5)).toMatchObject({ stale: true });
    expect((await stored(orderId)).status).toBe('preparing');
  });

  it('answers a repeat of a step that applied as a duplicate, not stale', async () => {
    const { expo, orderId, version } = await preparingTicket();
    const eventId = crypto.randomUUID();
    const first = await step(expo, orderId, 'ready', version, eventId);
    expect(first).toMatchObject({ ok: true, duplicate: false });
    const seq = first.ok ? first.seq : -1;

    // The outbox re-sending it (same event_id), and a second tap on the same step.
    const retried = await step(expo, orderId, 'ready', version, eventId);
    expect(retried).toEqual({ ok: true, seq, version: version + 1, duplicate: true });
    const tappedAgain = await step(expo, orderId, 'ready', version);
    expect(tappedAgain).toEqual({ ok: true, seq, version: version + 1, duplicate: true });
    expect((await stored(orderId)).version).toBe(version + 1);
  });

  it('refuses a step on a finished order as invalid_transition, whatever the version', async () => {
    const { pos, expo, orderId, version } = await preparingTicket();
    await step(pos, orderId, 'cancelled');
    const answer = await step(expo, orderId, 'ready', version);
    expect(answer.ok ? answer : answer.error.code).toBe('invalid_transition');
  });

  it('without a version steps as before: the double step goes through', async () => {
    const { expo, orderId } = await preparingTicket();
    expect(await step(expo, orderId, 'ready')).toMatchObject({ ok: true, duplicate: false });
    expect(await step(expo, orderId, 'completed')).toMatchObject({ ok: true, duplicate: false });
    expect((await stored(orderId)).status).toBe('completed');
  });

  it('answers stale over HTTP as over the socket', async () => {
    const { expo, orderId, version } = await preparingTicket();
    await step(expo, orderId, 'ready', version);
    const answer = await http(t.url, '/api/events', {
      token: await kitchenToken('kds-expo'),
      body: { type: 'order:update', payload: { order_id: orderId, status: 'completed', version } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ok: true,
      seq: 0,
      stale: true,
      order: { status: 'ready' },
    });
  });

  it('refuses a version that is not a positive integer', async () => {
    const { expo, orderId } = await preparingTicket();
    const answer = await step(expo, orderId, 'ready', 0);
    expect(answer.ok ? answer : answer.error.code).toBe('invalid_payload');
  });
});
