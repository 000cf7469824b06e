import type {
  CaughtUpMessage,
  EventsResponse,
  OrderState,
  PublishAck,
  SnapshotMessage,
} from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connected,
  http,
  order,
  peek,
  type Received,
  startRelay,
  type TestClient,
  type TestRelay,
  tokenFor,
} from './helpers.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const names = (c: TestClient) => c.received.map((r) => r.name);
const find = <T>(c: TestClient, name: string) =>
  c.received.find((r: Received) => r.name === name)?.data as T;

async function publishMany(pos: TestClient, n: number, tenant = 3) {
  const acks: PublishAck[] = [];
  for (let i = 0; i < n; i++)
    acks.push(await pos.request('order:publish', order({ tenant_id: tenant })));
  return acks;
}

describe('catch-up', () => {
  it('sends a snapshot of open orders then one caught_up when there is no cursor', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const [a, b] = [order(), order()];
    await pos.request('order:publish', a);
    await pos.request('order:publish', b);
    await pos.request('order:update', { order_id: a.order_id, status: 'cancelled' });

    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    expect(names(kitchen).slice(0, 2)).toEqual(['sync:snapshot', 'sync:caught_up']);
    const snapshot = find<SnapshotMessage>(kitchen, 'sync:snapshot');
    expect(snapshot.orders.map((o) => o.order_id)).toEqual([b.order_id]);
    expect(snapshot).toMatchObject({ seq: 3, epoch: t.relay.epoch });
    expect(find<CaughtUpMessage>(kitchen, 'sync:caught_up')).toEqual({
      seq: 3,
      epoch: t.relay.epoch,
      event_id: await t.relay.reader.eventIdAt!('1', 3),
      ts: expect.any(String),
    });
  });

  it("says in caught_up what time it is on the relay's clock, for the screens' recall window", async () => {
    const relayNow = Date.parse('2026-03-01T12:00:00.000Z');
    t = await startRelay({ now: () => relayNow });
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen') });
    expect(find<CaughtUpMessage>(kitchen, 'sync:caught_up').ts).toBe('2026-03-01T12:00:00.000Z');
  });

  it('resumes with since + epoch: exactly the missed events, then live', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    await publishMany(pos, 5);
    const kitchen = await connected(t.url, {
      token: await tokenFor('kitchen'),
      since: 2,
      epoch: t.relay.epoch,
    });
    expect(names(kitchen)).toEqual(['event', 'event', 'event', 'sync:caught_up']);
    expect(kitchen.events().map((e) => e.seq)).toEqual([3, 4, 5]);
    await pos.request('order:publish', order());
    await kitchen.waitFor(() => kitchen.events().length === 4);
    expect(kitchen.events().map((e) => e.seq)).toEqual([3, 4, 5, 6]);
  });

  it('gives a snapshot to a cursor of another epoch', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    await publishMany(pos, 3);
    const kitchen = await connected(t.url, {
      token: await tokenFor('kitchen'),
      since: 2,
      epoch: 'an-older-log',
    });
    expect(names(kitchen)).toEqual(['sync:snapshot', 'sync:caught_up']);
    expect(find<SnapshotMessage>(kitchen, 'sync:snapshot').orders).toHaveLength(3);
  });

  it('gives a snapshot to a cursor behind retention', async () => {
    t = await startRelay({ retentionEvents: 5 });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    await publishMany(pos, 12);
    expect(await t.relay.reader.prunedThrough('1')).toBeGreaterThan(1);
    const kitchen = await connected(t.url, {
      token: await tokenFor('kitchen'),
      since: 1,
      epoch: t.relay.epoch,
    });
    expect(names(kitchen)).toEqual(['sync:snapshot', 'sync:caught_up']);
    expect(find<SnapshotMessage>(kitchen, 'sync:snapshot').orders).toHaveLength(12);
  });

  it('delivers events published during a long replay exactly once and in order', async () => {
    t = await startRelay({ retentionEvents: 100_000 });
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const backlog = 3_000;
    await Promise.all(
      Array.from({ length: backlog }, () => pos.request('order:publish', order(), 20_000)),
    );
    const kitchen = await connected(t.url, {
      token: await tokenFor('kitchen'),
      since: 1,
      epoch: t.relay.epoch,
    });
    // A second kitchen replays the same backlog while 200 more orders are published.
    const late = await connectedDuringBurst(t, pos, 200);
    const total = backlog + 200;
    await kitchen.waitFor(() => kitchen.events().length === total - 1, 15_000);
    await late.waitFor(() => late.events().length === total - 1, 15_000);
    for (const c of [kitchen, late]) {
      const seqs = c.events().map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: total - 1 }, (_, i) => i + 2));
      expect(names(c).filter((n) => n === 'sync:caught_up')).toHaveLength(1);
    }
  }, 40_000);
});

/** Opens a kitchen from seq 1 and publishes `n` orders while its backlog is replayed. */
async function connectedDuringBurst(t: TestRelay, pos: TestClient, n: number) {
  const kitchenPromise = connected(t.url, {
    token: await tokenFor('kitchen'),
    since: 1,
    epoch: t.relay.epoch,
  });
  const burst = Promise.all(Array.from({ length: n }, () => pos.request('order:publish', order())));
  const [kitchen] = await Promise.all([kitchenPromise, burst]);
  return kitchen;
}

describe('food-court isolation', () => {
  it('shows a tenant-A kitchen only tenant A, by socket, snapshot and poll', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const tokenA = await tokenFor('kitchen', { tenants: ['A'] });
    const live = await connected(t.url, { token: tokenA });
    await pos.request('order:publish', order({ tenant_id: 'A' }));
    await pos.request('order:publish', order({ tenant_id: 'B' }));
    await pos.request('order:publish', order({ tenant_id: 'A' }));

    await live.waitFor(() => live.events().length === 2);
    await pos.request('ping');
    expect(live.events().map((e) => e.tenant_id)).toEqual(['A', 'A']);

    const fresh = await connected(t.url, { token: tokenA });
    const snapshot = find<SnapshotMessage>(fresh, 'sync:snapshot');
    expect(snapshot.orders.map((o: OrderState) => o.tenant_id)).toEqual(['A', 'A']);

    const resumed = await connected(t.url, { token: tokenA, since: 1, epoch: t.relay.epoch });
    expect(resumed.events().map((e) => [e.seq, e.tenant_id])).toEqual([[3, 'A']]);

    const poll = await http(t.url, '/api/events?since=0', { token: tokenA });
    expect((poll.body as EventsResponse).events.map((e) => e.tenant_id)).toEqual(['A', 'A']);
    expect(poll.body.last_seq).toBe(3);

    const orders = await http(t.url, '/api/orders?outlet_id=1', { token: tokenA });
    expect(orders.body.map((o: OrderState) => o.tenant_id)).toEqual(['A', 'A']);

    const other = await http(t.url, '/api/events?outlet_id=2', { token: tokenA });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
  });

  it('refuses a kitchen acting on another tenant’s order with forbidden', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const kitchenA = await connected(t.url, {
      token: await tokenFor('kitchen', { tenants: ['A'] }),
    });
    const b = order({ tenant_id: 'B' });
    await pos.request('order:publish', b);
    expect(
      await kitchenA.request('order:update', { order_id: b.order_id, status: 'preparing' }),
    ).toMatchObject({ error: { code: 'forbidden' } });
    expect(await kitchenA.request('order:ack', { order_id: b.order_id })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect((await peek(t.relay, (s) => s.getOrder(b.order_id)))?.state.status).toBe('pending');
  });

  it('keeps outlets apart: a POS of outlet 1 cannot publish for outlet 2', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos', { outlet: 1 }) });
    const other = await connected(t.url, { token: await tokenFor('kitchen', { outlet: 2 }) });
    expect(await pos.request('order:publish', order({ outlet_id: 2 }))).toMatchObject({
      error: { code: 'forbidden' },
    });
    await pos.request('order:publish', order({ outlet_id: 1 }));
    await pos.request('ping');
    expect(other.events()).toEqual([]);
  });
});

describe('presence', () => {
  it('tells the outlet when a kitchen connects and disconnects, without a seq', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos') });
    const kitchen = await connected(t.url, { token: await tokenFor('kitchen', { sub: 'kds-9' }) });
    await pos.waitFor(() => pos.presence().length === 1);
    kitchen.close();
    await pos.waitFor(() => pos.presence().length === 2);
    expect(
      pos.presence().map((e) => [e.seq, e.type, (e.data as { status: string }).status]),
    ).toEqual([
      [null, 'kitchen_status_changed', 'connected'],
      [null, 'kitchen_status_changed', 'disconnected'],
    ]);
    expect((pos.presence()[0]!.data as { kitchen_id: string }).kitchen_id).toBe('kds-9');
    expect(await t.relay.reader.countEvents()).toBe(0);
  });
});

describe('room names', () => {
  it('keeps outlet "1" tenant "2:x" apart from outlet "1:2" tenant "x"', async () => {
    t = await startRelay();
    const pos = await connected(t.url, { token: await tokenFor('pos', { outlet: '1' }) });
    const other = await connected(t.url, {
      token: await tokenFor('kitchen', { outlet: '1:2', tenants: ['x'] }),
    });
    await pos.request('order:publish', order({ outlet_id: '1', tenant_id: '2:x' }));
    await pos.request('ping');
    await other.request('ping');
    expect(other.events()).toEqual([]);
  });

  it('sends presence of a kitchen only to its own outlet, whatever the ids contain', async () => {
    t = await startRelay();
    const outsider = await connected(t.url, {
      token: await tokenFor('pos', { outlet: '1:2', tenants: ['x'] }),
    });
    await connected(t.url, { token: await tokenFor('kitchen', { outlet: '1' }) });
    await outsider.request('ping');
    expect(outsider.presence()).toEqual([]);
  });
});
