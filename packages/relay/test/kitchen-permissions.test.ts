import type { Role } from '@kitchen-sync/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connected, http, order, removeTempDirs, type TestClient, tokenFor } from './helpers.js';
import { type RestartableRelay, startRestartable } from './kitchenHelpers.js';

let t: RestartableRelay;
let orderId: string;
const items = [
  { product_id: 1, name: 'Soup', quantity: 1, course: 1 },
  { product_id: 2, name: 'Steak', quantity: 1, course: 2 },
];

beforeEach(async () => {
  t = await startRestartable();
  const admin = await connected(t.url, { token: await tokenFor('admin') });
  const o = order({ items, tenant_id: 3 });
  orderId = o.order_id;
  await admin.request('order:publish', o);
  // Ready, so a recall has something to do.
  await admin.request('order:update', { order_id: orderId, status: 'preparing' });
  await admin.request('order:update', { order_id: orderId, status: 'ready' });
  admin.close();
});
afterEach(async () => {
  await t.close();
  removeTempDirs();
});

const commands = () => ({
  'order:item_update': { order_id: orderId, line_id: `${orderId}:0`, status: 'ready' },
  'order:hold': { order_id: orderId, course: 2 },
  'order:fire': { order_id: orderId },
  'order:recall': { order_id: orderId },
  'order:rush': { order_id: orderId },
});
type Command = keyof ReturnType<typeof commands>;

async function as(
  role: Role,
  opts: { tenants?: number[]; outlet?: number } = {},
): Promise<TestClient> {
  return connected(t.url, { token: await tokenFor(role, opts) });
}

async function codeOf(c: TestClient, command: Command): Promise<string> {
  const answer = await c.request<{ ok: boolean; error?: { code: string } }>(
    command,
    commands()[command],
  );
  return answer.ok ? 'ok' : answer.error!.code;
}

describe('who may send the v1.1 commands', () => {
  it('refuses the roles a command is not for, before touching the order', async () => {
    const monitor = await as('monitor');
    const kitchen = await as('kitchen', { tenants: [3] });
    const pos = await as('pos', { tenants: [3] });
    for (const command of Object.keys(commands()) as Command[]) {
      expect(await codeOf(monitor, command)).toBe('forbidden');
    }
    expect(await codeOf(kitchen, 'order:hold')).toBe('forbidden');
    expect(await codeOf(kitchen, 'order:rush')).toBe('forbidden');
    expect(await codeOf(pos, 'order:item_update')).toBe('forbidden');
    expect(t.relay.store.countEvents()).toBe(3);
  });

  it('keeps each tenant and outlet to its own orders', async () => {
    const otherTenant = await as('kitchen', { tenants: [4] });
    const otherOutlet = await as('kitchen', { outlet: 2 });
    const otherPos = await as('pos', { tenants: [4] });
    for (const command of ['order:item_update', 'order:fire', 'order:recall'] as Command[]) {
      expect(await codeOf(otherTenant, command)).toBe('forbidden');
      expect(await codeOf(otherOutlet, command)).toBe('forbidden');
    }
    for (const command of ['order:hold', 'order:fire', 'order:rush', 'order:recall'] as Command[]) {
      expect(await codeOf(otherPos, command)).toBe('forbidden');
    }
    expect(t.relay.store.countEvents()).toBe(3);
    // The tenant's own kitchen may.
    const own = await as('kitchen', { tenants: [3] });
    expect(await codeOf(own, 'order:recall')).toBe('ok');
  });

  it('answers the same over HTTP', async () => {
    const body = { type: 'order:recall', payload: commands()['order:recall'] };
    const foreign = await http(t.url, '/api/events', {
      token: await tokenFor('kitchen', { tenants: [4] }),
      body,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('forbidden');
    const own = await http(t.url, '/api/events', {
      token: await tokenFor('kitchen', { tenants: [3] }),
      body,
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ ok: true, duplicate: false });
    const unknown = await http(t.url, '/api/events', {
      token: await tokenFor('pos'),
      body: { type: 'order:rush', payload: { order_id: crypto.randomUUID() } },
    });
    expect(unknown.status).toBe(404);
  });
});
