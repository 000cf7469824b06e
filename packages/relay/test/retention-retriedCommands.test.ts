import type { OrderLine, OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { closeClients, connected, order, startRelay, type TestRelay, tokenFor } from './helpers.js';

// The audit's case: a table's course is held (H), fired, its steak bumped (B) and recalled;
// other tables' traffic rolls the log past H and B; the POS and the grill retry H and B (their
// acks lost). The relay answered `duplicate: false` and logged them again: the fired course
// went back to held and the recalled steak showed ready.

let t: TestRelay | undefined;
afterEach(async () => {
  closeClients();
  await t?.close();
  t = undefined;
});

const items = [
  { product_id: 1, name: 'Soup', quantity: 1, course: 1 },
  { product_id: 2, name: 'Steak', quantity: 1, course: 2 },
];

describe('a relay with --retention-events 5', () => {
  it('answers commands retried after retention removed their events as duplicates, and logs nothing', async () => {
    t = await startRelay({ retentionEvents: 5 });
    const relay = t;
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    const grill = await connected(relay.url, {
      token: await tokenFor('kitchen', { sub: 'grill' }),
    });
    const table = order({ items });
    const steak = `${table.order_id}:1`;
    const [H, B] = [crypto.randomUUID(), crypto.randomUUID()];
    await pos.request('order:publish', table);
    const hold = { order_id: table.order_id, course: 2, event_id: H };
    const held = await pos.request<{ seq: number; version: number }>('order:hold', hold);
    expect(held).toMatchObject({ ok: true, duplicate: false });
    await pos.request('order:fire', { order_id: table.order_id, course: 2 });
    const bump = { order_id: table.order_id, line_id: steak, status: 'ready', event_id: B };
    const bumped = await grill.request<{ seq: number; version: number }>('order:item_update', bump);
    expect(bumped).toMatchObject({ ok: true, duplicate: false });
    expect(
      await grill.request('order:recall', { order_id: table.order_id, line_id: steak }),
    ).toMatchObject({ ok: true, duplicate: false });
    // Other tables' traffic: retention by count runs as the log grows.
    for (let i = 0; i < 6; i++) await pos.request('order:publish', order());
    await expect.poll(() => relay.relay.reader.prunedThrough('1')).toBeGreaterThan(bumped.seq);
    const head = await relay.relay.reader.head('1');

    const rehold = { ...hold, event_id: H.toUpperCase() };
    expect(await pos.request('order:hold', rehold)).toMatchObject({
      ok: true,
      seq: held.seq,
      version: held.version,
      duplicate: true,
    });
    const rebumped = await grill.request<{ order: OrderState }>('order:item_update', bump);
    expect(rebumped).toMatchObject({
      ok: true,
      seq: bumped.seq,
      version: bumped.version,
      duplicate: true,
    });
    expect(await relay.relay.reader.head('1')).toBe(head);
    // Course 2 still fired, the steak still back on the grill.
    expect((rebumped.order.items as OrderLine[]).map((line) => line.status)).toEqual([
      'pending',
      'preparing',
    ]);
  });
});
