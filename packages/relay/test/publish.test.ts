import type { EventEnvelope, OrderState, PublishAck, UpdateAck } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connected, order, peek, startRelay, type TestRelay, tokenFor } from './helpers.js';

let t: TestRelay;
beforeEach(async () => {
  t = await startRelay();
});
afterEach(async () => {
  await t.close();
});

describe('publish', () => {
  it('acks with seq 1 after commit and broadcasts the order to the kitchen', async () => {
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    const pos = await connected(t.url, { token: await tokenFor('pos', { sub: 'pos-1' }) });
    const o = order();
    const ack = await pos.request<PublishAck>('order:publish', o);
    expect(ack).toEqual({ ok: true, seq: 1, duplicate: false });
    await kitchen.waitFor(() => kitchen.events().length === 1);
    const event = kitchen.events()[0] as EventEnvelope<OrderState>;
    expect(Object.keys(event).sort()).toEqual(
      [
        'seq',
        'event_id',
        'type',
        'outlet_id',
        'tenant_id',
        'order_id',
        'data',
        'ts',
        'origin',
      ].sort(),
    );
    expect(event).toMatchObject({
      seq: 1,
      type: 'new_order',
      order_id: o.order_id,
      outlet_id: 1,
      tenant_id: 3,
      origin: 'pos-1',
    });
    expect(event.data).toMatchObject({ order_id: o.order_id, status: 'pending', version: 1 });
    expect((await peek(t.relay, (s) => s.getOrder(o.order_id)))?.createdSeq).toBe(1);
  });

  it('answers a re-publish with the original seq and broadcasts nothing', async () => {
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const o = order();
    await pos.request('order:publish', o);
    await pos.request('order:publish', order());
    const again = await pos.request<PublishAck>('order:publish', structuredClone(o));
    expect(again).toEqual({ ok: true, seq: 1, duplicate: true });
    const ping = await pos.request<{ ok: boolean }>('ping');
    expect(ping.ok).toBe(true);
    await kitchen.waitFor(() => kitchen.events().length >= 2);
    expect(kitchen.events().map((e) => e.seq)).toEqual([1, 2]);
    expect(await t.relay.reader.countEvents()).toBe(2);
  });

  it('keeps one strictly increasing seq with 5 POS × 50 concurrent orders', async () => {
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    const terminals = await Promise.all(
      Array.from({ length: 5 }, async (_, i) =>
        connected(t.url, { token: await tokenFor('pos', { sub: `pos-${i}` }) }),
      ),
    );
    const acks = await Promise.all(
      terminals.flatMap((pos) =>
        Array.from({ length: 50 }, () => pos.request<PublishAck>('order:publish', order())),
      ),
    );
    const seqs = acks.map((a) => (a.ok ? a.seq : -1)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    await kitchen.waitFor(() => kitchen.events().length === 250);
    expect(kitchen.events().map((e) => e.seq)).toEqual(seqs);
  });

  it('refuses a new order that does not arrive pending', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const ack = await pos.request<PublishAck>('order:publish', order({ status: 'ready' }));
    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_transition' } });
    expect(await t.relay.reader.countEvents()).toBe(0);
  });
});

describe('status updates', () => {
  it('walks pending → preparing → ready → completed with versions and event types', async () => {
    const monitor = await connected(t.url, { token: await tokenFor('monitor') });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { tenants: [3] }) });
    const o = order();
    await pos.request('order:publish', o);
    const steps = ['preparing', 'ready', 'completed'] as const;
    const answers: UpdateAck[] = [];
    for (const status of steps) {
      answers.push(
        await kitchen.request<UpdateAck>('order:update', { order_id: o.order_id, status }),
      );
    }
    expect(answers).toEqual([
      { ok: true, seq: 2, version: 2, duplicate: false },
      { ok: true, seq: 3, version: 3, duplicate: false },
      { ok: true, seq: 4, version: 4, duplicate: false },
    ]);
    await monitor.waitFor(() => monitor.events().length === 4);
    expect(monitor.events().map((e) => e.type)).toEqual([
      'new_order',
      'order_updated',
      'order_updated',
      'order_completed',
    ]);
    expect(monitor.events().map((e) => (e.data as OrderState).status)).toEqual([
      'pending',
      ...steps,
    ]);
  });

  it('answers the error codes of the state machine', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const o = order();
    await pos.request('order:publish', o);
    const update = (status: string, orderId = o.order_id) =>
      pos.request<UpdateAck>('order:update', { order_id: orderId, status });

    expect(await update('completed')).toMatchObject({ error: { code: 'invalid_transition' } });
    expect(await update('pending')).toEqual({ ok: true, seq: 1, version: 1, duplicate: true });
    expect(await update('preparing', crypto.randomUUID())).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await update('cancelled')).toMatchObject({ ok: true, seq: 2, version: 2 });
    expect(await update('cancelled')).toEqual({ ok: true, seq: 2, version: 2, duplicate: true });
    expect(await update('preparing')).toMatchObject({ error: { code: 'invalid_transition' } });
    expect(await t.relay.reader.countEvents()).toBe(2);
  });

  it('treats a repeated event_id as the same update', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const o = order();
    await pos.request('order:publish', o);
    const request = { order_id: o.order_id, status: 'preparing', event_id: crypto.randomUUID() };
    const first = await pos.request<UpdateAck>('order:update', request);
    const second = await pos.request<UpdateAck>('order:update', request);
    expect(first).toEqual({ ok: true, seq: 2, version: 2, duplicate: false });
    expect(second).toEqual({ ok: true, seq: 2, version: 2, duplicate: true });
    expect((await peek(t.relay, (s) => s.getEvent(request.event_id)))?.envelope.seq).toBe(2);
  });
});

describe('kitchen acks', () => {
  it('logs one order_acknowledged per order and kitchen', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const k1 = await connected(t.url, { token: await tokenFor('kitchen', { sub: 'kds-1' }) });
    const k2 = await connected(t.url, { token: await tokenFor('kitchen', { sub: 'kds-2' }) });
    const o = order();
    await pos.request('order:publish', o);
    expect(await k1.request('order:ack', { order_id: o.order_id })).toEqual({
      ok: true,
      seq: 2,
      duplicate: false,
    });
    expect(await k1.request('order:ack', { order_id: o.order_id })).toEqual({
      ok: true,
      seq: 2,
      duplicate: true,
    });
    expect(await k2.request('order:ack', { order_id: o.order_id })).toMatchObject({
      ok: true,
      seq: 3,
      duplicate: false,
    });
    expect((await peek(t.relay, (s) => s.getOrder(o.order_id)))?.state.acknowledged_by).toEqual([
      'kds-1',
      'kds-2',
    ]);
    await pos.waitFor(() => pos.events().length === 3);
    expect(pos.events().map((e) => e.type)).toEqual([
      'new_order',
      'order_acknowledged',
      'order_acknowledged',
    ]);
  });

  it('refuses acks from a POS; drops acks for unknown orders as obsolete', async () => {
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    const o = order();
    await pos.request('order:publish', o);
    expect(await pos.request('order:ack', { order_id: o.order_id })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await kitchen.request('order:ack', { order_id: crypto.randomUUID() })).toMatchObject({
      ok: true,
      obsolete: true,
    });
    expect(await t.relay.reader.countEvents()).toBe(1);
  });
});
