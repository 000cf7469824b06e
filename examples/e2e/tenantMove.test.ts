import type { Order } from '@kitchen-sync/protocol';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { serveFixture } from './harness/fixturePage';
import { sendAsPos } from './harness/relayApi';
import { card, cardIds, kitchenReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

function order(tenant: number, fields: Partial<Order> = {}): Order {
  const id = crypto.randomUUID();
  return {
    order_id: id,
    order_number: `OFF-${Date.now()}-${id.slice(0, 4)}-T${tenant}`,
    outlet_id: 1,
    tenant_id: tenant,
    status: 'pending',
    items: [{ product_id: tenant * 100 + 1, name: 'Bakso', quantity: 1 }],
    total_amount: '25000',
    created_at: new Date().toISOString(),
    source: 'pos',
    ...fields,
  };
}

/** Everything this tablet's browser keeps: databases and their orders, storage, cached answers. */
async function onTablet(page: Page) {
  return page.evaluate(async () => {
    const read = (name: string) =>
      new Promise<unknown[]>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('orders')) {
            db.close();
            resolve([]);
            return;
          }
          const all = db.transaction('orders').objectStore('orders').getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => reject(all.error);
          all.transaction?.addEventListener('complete', () => db.close());
        };
      });
    const databases = (await indexedDB.databases()).map((db) => db.name ?? '');
    const records = (await Promise.all(databases.map(read))).flat() as Array<{
      order: { tenant_id: unknown };
    }>;
    const cache = await caches.open('api-cache');
    return {
      databases,
      tenants: records.map((record) => String(record.order.tenant_id)),
      text: JSON.stringify(records),
      storage: JSON.stringify({ ...localStorage }),
      cached: (await cache.keys()).map((request) => request.url),
    };
  });
}

test("a kitchen tablet moved from tenant 1 to tenant 2 shows tenant 2's open orders and keeps nothing of tenant 1", async () => {
  const d = demo();
  const t1 = order(1, { customer_name: 'Guest-T1-NAME', table: 4 });
  // Tenant 2's open orders from before the move: the tablet must get them, not only later ones.
  const t2 = order(2);
  const web2 = order(2, { source: 'web', customer_name: 'Guest-T2' });
  for (const o of [t1, t2, web2]) {
    expect((await sendAsPos(d, 'order:publish', o)).status).toBe(200);
  }

  const tablet = await d.open(d.kitchenUrl(1));
  await kitchenReady(tablet);
  await card(tablet, t1.order_id).waitFor({ timeout: 10_000 });
  expect((await onTablet(tablet)).text).toContain('Guest-T1-NAME');

  // Moved: the same browser, now the kitchen of tenant 2.
  await tablet.goto(d.kitchenUrl(2));
  await kitchenReady(tablet);
  await card(tablet, t2.order_id).waitFor({ timeout: 10_000 });
  await card(tablet, web2.order_id).waitFor({ timeout: 10_000 });
  expect((await cardIds(tablet)).sort()).toEqual([t2.order_id, web2.order_id].sort());

  const kept = await onTablet(tablet);
  expect(
    kept.databases.filter((name) => name.startsWith('kitchen-sync-demo-kitchen')).sort(),
  ).toEqual(['kitchen-sync-demo-kitchen-1-2', 'kitchen-sync-demo-kitchen-outbox-1-2']);
  expect(kept.tenants).toEqual(['2', '2']);
  expect(kept.text).not.toContain('Guest-T1-NAME');
  // Tenant 1's relay token went with its cached settings and central's cached answer.
  expect(kept.storage).not.toMatch(/tenant=1\b/);
  expect(kept.cached.filter((url) => /tenant=1\b/.test(url))).toEqual([]);
  expect(kept.storage).toMatch(/tenant=2\b/);

  // And after a reload, still only tenant 2's.
  await tablet.reload();
  await kitchenReady(tablet);
  await card(tablet, t2.order_id).waitFor({ timeout: 10_000 });
  expect((await cardIds(tablet)).sort()).toEqual([t2.order_id, web2.order_id].sort());
});

/** The order ids a recipe kitchen shows, once its feed is loaded. */
async function shown(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) =>
      document.body.dataset.feed === 'ready' &&
      (document.body.dataset.orders ?? '').split(' ').filter(Boolean).length === n,
    count,
    { timeout: 10_000 },
  );
  return (await page.evaluate(() => document.body.dataset.orders ?? '')).split(' ').sort();
}

test("a kitchen wired as the docs' recipe (one feed database per device) moved to tenant 2 gets tenant 2's open orders, and tenant 1's leave its database", async () => {
  const d = demo();
  const recipe = await serveFixture('recipeKitchen');
  try {
    const t1 = order(1, { customer_name: 'Guest-T1-NAME' });
    const t2 = order(2);
    const web2 = order(2, { source: 'web' });
    for (const o of [t1, t2, web2]) {
      expect((await sendAsPos(d, 'order:publish', o)).status).toBe(200);
    }
    const url = (tenant: number) =>
      `${recipe.url}/?tenant=${tenant}&central=${encodeURIComponent(d.central.url)}`;

    const tablet = await d.open(url(1));
    expect(await shown(tablet, 1)).toEqual([t1.order_id]);

    // Moved: same device, same database, a tenant-2 token. The relay must send its snapshot.
    await tablet.goto(url(2));
    expect(await shown(tablet, 2)).toEqual([t2.order_id, web2.order_id].sort());
    const kept = await onTablet(tablet);
    expect(kept.tenants).toEqual(['2', '2']);
    expect(kept.text).not.toContain('Guest-T1-NAME');

    await tablet.reload();
    expect(await shown(tablet, 2)).toEqual([t2.order_id, web2.order_id].sort());
  } finally {
    await recipe.close();
  }
});

test('two tabs of one browser showing two tenants leave each other alone', async () => {
  const d = demo();
  const t1 = order(1);
  const t2 = order(2);
  for (const o of [t1, t2]) {
    expect((await sendAsPos(d, 'order:publish', o)).status).toBe(200);
  }
  const tab1 = await d.open(d.kitchenUrl(1));
  await kitchenReady(tab1);
  await card(tab1, t1.order_id).waitFor({ timeout: 10_000 });
  const tab2 = await tab1.context().newPage();
  await tab2.goto(d.kitchenUrl(2));
  await kitchenReady(tab2);
  await card(tab2, t2.order_id).waitFor({ timeout: 10_000 });

  // Tab 1's stores are still there and still written: a later order survives its reload.
  const later = order(1);
  expect((await sendAsPos(d, 'order:publish', later)).status).toBe(200);
  await card(tab1, later.order_id).waitFor({ timeout: 10_000 });
  expect((await onTablet(tab2)).databases.filter((name) => name.includes('-1-1'))).toHaveLength(2);
  await tab1.reload();
  await kitchenReady(tab1);
  await card(tab1, later.order_id).waitFor({ timeout: 10_000 });
  expect((await cardIds(tab1)).sort()).toEqual([t1.order_id, later.order_id].sort());
});
