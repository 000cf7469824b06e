import { readFileSync } from 'node:fs';
import type { OrderState } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryEventStore } from '../src/index.js';
import { http, newOrderEvent, order, startRelay, type TestRelay, tokenFor } from './helpers.js';

// GET /api/orders as the kitchens written for the first local sync server poll it: every 3 s
// with `since_id` = the highest `id` seen so far, each entry of the answer added as a new ticket.

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

async function relay(options: Parameters<typeof startRelay>[0] = {}) {
  const started = await startRelay(options);
  relays.push(started);
  return started;
}

interface LegacyEntry {
  id: number;
  order_id: string;
  status: string;
}

/** The seed kitchen's polling loop, one poll a call: no de-duplication, cursor = highest id. */
function seedKitchen(token: string) {
  const tickets: LegacyEntry[] = [];
  let sinceId = 0;
  return {
    tickets,
    sinceId: () => sinceId,
    async poll(url: string): Promise<LegacyEntry[]> {
      const res = await http(url, `/api/orders?outlet_id=1&since_id=${sinceId}`, { token });
      expect(res.status).toBe(200);
      const entries = res.body as LegacyEntry[];
      tickets.push(...entries);
      if (entries.length > 0) sinceId = Math.max(...entries.map((e) => e.id));
      return entries;
    },
  };
}

const publish = (url: string, token: string, payload = order()) =>
  http(url, '/api/events', { token, body: { type: 'order:publish', payload } });
const kitchenDoes = (url: string, token: string, type: string, payload: object) =>
  http(url, '/api/events', { token, body: { type, payload } });

describe('GET /api/orders (compatibility)', () => {
  it('lists each order once, as it stands, however many events it has', async () => {
    const t = await relay();
    const pos = await tokenFor('pos');
    const kitchen = await tokenFor('kitchen');
    const a = order();
    await publish(t.url, pos, a);
    await kitchenDoes(t.url, kitchen, 'order:ack', { order_id: a.order_id });
    await kitchenDoes(t.url, kitchen, 'order:update', {
      order_id: a.order_id,
      status: 'preparing',
    });

    const legacy = seedKitchen(kitchen);
    const first = await legacy.poll(t.url);
    expect(first.map((e) => [e.id, e.order_id, e.status])).toEqual([[1, a.order_id, 'preparing']]);

    const b = order();
    await publish(t.url, pos, b);
    await kitchenDoes(t.url, kitchen, 'order:update', { order_id: a.order_id, status: 'ready' });
    await legacy.poll(t.url);
    await legacy.poll(t.url);
    expect(legacy.tickets.map((e) => e.order_id)).toEqual([a.order_id, b.order_id]);
    expect(legacy.sinceId()).toBe(4);
  });

  it('moves past a page of events that has no new order, and gives the latest state', async () => {
    const store = createMemoryEventStore();
    const a = order();
    const b = order();
    // Logged now: the relay prunes events older than retention when it starts.
    const now = Date.now();
    store.transaction(() => {
      const created = newOrderEvent(a, now);
      store.append(created);
      // More updates of A than one page of the log holds.
      for (let version = 2; version <= 1_001; version += 1) {
        const data = { ...(created.envelope.data as OrderState), version };
        const update = newOrderEvent(a, now);
        store.append({
          ...update,
          envelope: { ...update.envelope, type: 'order_updated', data },
        });
      }
      store.append(newOrderEvent(b, now));
    });
    const t = await relay({ store });
    const kitchen = await tokenFor('kitchen');

    const all = await http(t.url, '/api/orders?outlet_id=1', { token: kitchen });
    expect(all.body.map((e: LegacyEntry & OrderState) => [e.id, e.order_id, e.version])).toEqual([
      [1, a.order_id, 1_001],
      [1_002, b.order_id, 1],
    ]);
    const after = await http(t.url, '/api/orders?outlet_id=1&since_id=1', { token: kitchen });
    expect(after.body.map((e: LegacyEntry) => e.order_id)).toEqual([b.order_id]);
  });

  it.each([
    ['a memory store restarted', { store: 'memory' as const }],
    ['a new data dir', {}],
  ])(
    'after %s, sends the new log’s orders to a kitchen whose since_id is past its head',
    async (_case, options) => {
      const pos = await tokenFor('pos');
      const kitchen = await tokenFor('kitchen');
      const legacy = seedKitchen(kitchen);
      const before = await relay(options);
      for (let i = 0; i < 5; i += 1) await publish(before.url, pos);
      await legacy.poll(before.url);
      expect(legacy.sinceId()).toBe(5);
      await before.close();

      const after = await relay(options);
      const fresh = [order(), order(), order()];
      for (const o of fresh) await publish(after.url, pos, o);
      const resent = await legacy.poll(after.url);
      expect(resent.map((e) => [e.id, e.order_id])).toEqual(
        fresh.map((o, i) => [i + 1, o.order_id]),
      );

      // From there it polls on as usual: nothing twice, nothing skipped.
      expect(await legacy.poll(after.url)).toEqual([]);
      const later = order();
      await publish(after.url, pos, later);
      expect((await legacy.poll(after.url)).map((e) => e.order_id)).toEqual([later.order_id]);
      expect(legacy.tickets).toHaveLength(5 + 3 + 1);
    },
  );
});

describe('POST /emit (compatibility)', () => {
  it('refuses an order of the first POS code (no order_id) with invalid_payload, as the docs say', async () => {
    const t = await relay();
    const pos = await tokenFor('pos');
    // The body the first local sync server took (its notes' example order).
    const firstPosOrder = {
      id: 101,
      order_number: 'ORD-2024-001',
      outlet_id: 1,
      status: 'pending',
      items: [{ product_id: 1, name: 'Nasi goreng', quantity: 1 }],
      total: 150000,
      created_at: '2024-01-11T10:30:00Z',
    };
    const res = await http(t.url, '/emit', { token: pos, body: firstPosOrder });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_payload']);
    const missing = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(missing).toEqual(['order_id', 'tenant_id', 'total_amount']);
    // What the owners of that POS code read to fix it.
    const guide = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    const section = guide.slice(guide.indexOf('### Moving from the first local sync server'));
    expect(section).toMatch(/`POST \/emit` needs `order_id`/);
    for (const field of missing) expect(section).toContain(`\`${field}\``);
    const kitchen = await tokenFor('kitchen');
    expect((await http(t.url, '/api/orders?outlet_id=1', { token: kitchen })).body).toEqual([]);
  });
});
