import type { KitchenStatusData } from '@kitchen-sync/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, startRelay, type TestClient, type TestRelay, tokenFor } from './helpers.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const seen = (c: TestClient) =>
  c.presence().map((e) => {
    const data = e.data as KitchenStatusData;
    return `${data.kitchen_id}:${data.status}`;
  });

/** Connects a kitchen and waits until every watcher's presence for it was sent. */
async function kitchen(url: string, sub: string, tenants?: number[]) {
  return connected(url, {
    token: await tokenFor('kitchen', { sub, ...(tenants ? { tenants } : {}) }),
  });
}

describe('presence fan-out', () => {
  it('goes to pos, monitor and admin screens, never to other kitchens', async () => {
    t = await startRelay();
    const watchers = await Promise.all(
      (['pos', 'monitor', 'admin'] as const).map(async (role) =>
        connected(t!.url, { token: await tokenFor(role) }),
      ),
    );
    const first = await kitchen(t.url, 'kds-1');
    const second = await kitchen(t.url, 'kds-2');
    second.close();
    for (const w of watchers) {
      await w.waitFor(() => w.presence().length === 3);
      expect(seen(w)).toEqual(['kds-1:connected', 'kds-2:connected', 'kds-2:disconnected']);
    }
    await first.request('ping');
    expect(first.presence()).toEqual([]);
  });

  it('reaches a tenant-scoped screen only for kitchens that share one of its tenants', async () => {
    t = await startRelay();
    const scoped = await connected(t.url, { token: await tokenFor('pos', { tenants: [3] }) });
    const all = await connected(t.url, { token: await tokenFor('monitor') });
    await kitchen(t.url, 'grill', [3]);
    await kitchen(t.url, 'bar', [4]);
    await kitchen(t.url, 'both', [3, 4]);
    await kitchen(t.url, 'every');
    await scoped.request('ping');
    await all.request('ping');
    expect(seen(scoped)).toEqual(['grill:connected', 'both:connected', 'every:connected']);
    expect(seen(all)).toEqual([
      'grill:connected',
      'bar:connected',
      'both:connected',
      'every:connected',
    ]);
  });
});
