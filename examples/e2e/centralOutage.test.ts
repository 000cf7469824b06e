import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { card, openScreens, placeOrder, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('central down: the kitchen still gets the order via the relay; central books it once on return', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 2);
  await waitForText(kiosk, 'network-mode', ['online']);

  await d.central.setOutage(true);
  await waitForText(kiosk, 'network-mode', ['local']);

  const [orderId] = await placeOrder(kiosk, [201, 205]);
  await card(kitchen, orderId!).waitFor({ timeout: 5_000 });
  await waitForText(kiosk, 'central-queue', ['1']);
  expect(d.central.orderGroups).toHaveLength(0);

  await d.central.setOutage(false);
  await waitForText(kiosk, 'network-mode', ['online']);
  await expect.poll(() => d.central.orderGroups.length, { timeout: 20_000, interval: 200 }).toBe(1);
  await waitForText(kiosk, 'central-queue', ['0']);

  // A later checkout goes straight through; the replayed one is still booked exactly once.
  const [later] = await placeOrder(kiosk, [202]);
  await expect.poll(() => d.central.orderGroups.length, { timeout: 10_000, interval: 200 }).toBe(2);
  const booked = d.central.orderGroups.flatMap((group) => group.orders.map((o) => o.order_id));
  expect(booked).toEqual([orderId, later]);
});

/** Makes the kiosk's queued checkouts look older than the worker's 24 h retention. */
async function ageQueuedCheckouts(kiosk: Page, hours: number): Promise<number> {
  return kiosk.evaluate(async (ms) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('workbox-background-sync');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    let aged = 0;
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('requests', 'readwrite');
      const cursor = tx.objectStore('requests').index('queueName').openCursor('order-sync-queue');
      cursor.onsuccess = () => {
        const entry = cursor.result;
        if (!entry) return;
        entry.update({ ...entry.value, timestamp: entry.value.timestamp - ms });
        aged += 1;
        entry.continue();
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    return aged;
  }, hours * 3_600_000);
}

test('a checkout older than the queue retention is not dropped: the kiosk lists it and resends it once central is back', async () => {
  const d = demo();
  const [kitchen, kiosk] = await openScreens(d, 1);
  await waitForText(kiosk, 'network-mode', ['online']);

  // Day one of a weekend outage: the checkout waits in the worker's queue.
  await d.central.setOutage(true);
  await waitForText(kiosk, 'network-mode', ['local']);
  const [orderId] = await placeOrder(kiosk, [101], 'Sari');
  await card(kitchen, orderId!).waitFor({ timeout: 5_000 });
  await waitForText(kiosk, 'central-queue', ['1']);

  // A day later, central still down: its last attempt fails and it is set aside as expired,
  // where the staff sees it (not silently dropped).
  expect(await ageQueuedCheckouts(kiosk, 25)).toBe(1);
  await kiosk.evaluate(() => window.dispatchEvent(new Event('online')));
  await waitForText(kiosk, 'central-rejected', ['1']);
  await waitForText(kiosk, 'central-queue', ['0']);
  const listed = kiosk.locator('[data-testid="rejected-checkout"]');
  await expect.poll(() => listed.getAttribute('data-reason')).toBe('expired');
  expect(await listed.textContent()).toContain('Sari');
  expect(d.central.orderGroups).toHaveLength(0);

  // The staff resends it while central is still down: it stays listed.
  await listed.locator('[data-testid="rejected-retry"]').click();
  await expect
    .poll(() => kiosk.locator('#rejected-notice').textContent(), { timeout: 20_000 })
    .toBe('Pusat belum bisa dihubungi; coba lagi nanti.');
  expect(await listed.count()).toBe(1);

  // Central is back, with no other checkout queued: the worker resends it by itself, with the
  // key it was first sent with, and it leaves the list.
  await d.central.setOutage(false);
  await waitForText(kiosk, 'network-mode', ['online']);
  await waitForText(kiosk, 'central-rejected', ['0']);
  await expect.poll(() => listed.count()).toBe(0);
  expect(await kiosk.locator('#rejected-checkouts').isHidden()).toBe(true);
  const booked = d.central.orderGroups.flatMap((group) => group.orders.map((o) => o.order_id));
  expect(booked).toEqual([orderId]);
});
