import type { Order } from '@kitchen-sync/protocol';
import { expect, test } from 'vitest';
import type { Demo } from './harness/demo';
import { card, kioskReady, kitchenReady, RESULTS_DIR, screenshot } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();
const MINUTE = 60_000;

/** Publishes straight to the relay as a POS would, with what a kiosk cannot enter. */
async function publish(d: Demo, order: Order): Promise<void> {
  const settings = (await (await fetch(`${d.central.url}/api/tenants/outlets/1/`)).json()) as {
    relay_token: string;
  };
  const response = await fetch(`${d.relay.url}/api/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${settings.relay_token}`,
    },
    body: JSON.stringify({ type: 'order:publish', payload: order }),
  });
  expect(response.status).toBe(200);
}

let counter = 0;
function order(minutesAgo: number, fields: Partial<Order>, items: Order['items']): Order {
  counter += 1;
  const created = Date.now() - minutesAgo * MINUTE;
  return {
    order_id: crypto.randomUUID(),
    order_number: `OFF-${created}${counter}-T1`,
    display_number: `P${String(counter).padStart(3, '0')}`,
    outlet_id: 1,
    tenant_id: 1,
    tenant_name: 'Warung Nusantara',
    status: 'pending',
    items,
    total_amount: '100000',
    created_at: new Date(created).toISOString(),
    source: 'pos',
    ...fields,
  };
}

const nasi = {
  product_id: 101,
  name: 'Nasi Goreng Kampung',
  quantity: 1,
  station: 'wok',
  course: 2,
};
const sate = {
  product_id: 108,
  name: 'Sate Ayam (10 tusuk)',
  quantity: 1,
  station: 'grill',
  course: 1,
};
const mendoan = {
  product_id: 109,
  name: 'Tempe Mendoan',
  quantity: 1,
  station: 'grill',
  course: 1,
};
const mie = { product_id: 110, name: 'Mie Goreng Jawa', quantity: 1, station: 'wok', course: 2 };

// The screens as a person sees them mid-service; docs/screenshots/ holds a copy.
test('station and expo screens show age colours, rush, modifiers, notes, holds and all-day counts', async () => {
  const d = demo();
  const late = order(12, { table: 7, notes: 'Ulang tahun: lilin di piring sate' }, [
    { ...sate, quantity: 2, modifiers: ['pedas'] },
    { ...nasi, modifiers: ['tanpa bawang', 'extra telur'] },
  ]);
  const warn = order(6, { customer_name: 'Budi' }, [
    { ...mendoan, quantity: 3 },
    { ...mie, notes: 'Alergi udang' },
  ]);
  const rush = order(1, { table: 3, priority: 'rush' }, [
    { ...sate, modifiers: ['pedas'] },
    { ...nasi, quantity: 2 },
  ]);
  const held = order(0, { table: 12, hold: [{ course: 2 }] }, [
    { ...sate, quantity: 1 },
    { ...mie, quantity: 2 },
  ]);
  // A ticket's age counts from when the relay logged it (`received_at`), on the relay's
  // clock: each order reaches a relay whose clock is set back by its age, then put right.
  for (const [o, minutesAgo] of [
    [late, 12],
    [warn, 6],
    [rush, 1],
    [held, 0],
  ] as const) {
    d.shiftRelayClock(-minutesAgo * MINUTE);
    await publish(d, o);
  }

  const grill = await d.open(d.kitchenModeUrl(1, { station: 'grill' }));
  const wok = await d.open(d.kitchenModeUrl(1, { station: 'wok' }));
  const expo = await d.open(d.kitchenModeUrl(1, { expo: '' }));
  const pickup = await d.open(d.pickupUrl());
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([...[grill, wok, expo, pickup].map(kitchenReady), kioskReady(kiosk)]);
  for (const page of [grill, wok, expo]) await card(page, held.order_id).waitFor();

  expect(await card(grill, late.order_id).getAttribute('data-age')).toBe('late');
  expect(await card(grill, warn.order_id).getAttribute('data-age')).toBe('warn');
  expect(await card(grill, rush.order_id).getAttribute('data-age')).toBe('ok');
  // Rush first, then oldest first; on the wok the held mains wait at the end.
  const ids = (page: typeof grill) =>
    page
      .locator('[data-testid="order-card"]')
      .evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.orderId));
  expect(await ids(grill)).toEqual([rush.order_id, late.order_id, warn.order_id, held.order_id]);
  expect(await ids(wok)).toEqual([rush.order_id, late.order_id, warn.order_id, held.order_id]);
  expect(await card(wok, held.order_id).getAttribute('data-held')).toBe('true');
  // All-day: per product and modifiers, what is still to make (held lines once fired).
  expect(await grill.locator('[data-testid="all-day"]').allTextContents()).toEqual([
    '3Sate Ayam (10 tusuk) (pedas)',
    '3Tempe Mendoan',
    '1Sate Ayam (10 tusuk)',
  ]);

  for (const [page, name] of [
    [grill, 'kitchen-station'],
    [wok, 'kitchen-station-held'],
    [expo, 'kitchen-expo'],
  ] as const) {
    await screenshot(page, RESULTS_DIR, name, false);
  }
  await card(grill, rush.order_id).locator('[data-testid="bump-lines"]').click();
  await card(wok, rush.order_id).locator('[data-testid="bump-lines"]').click();
  await pickup.locator(`[data-order-id="${rush.order_id}"][data-state="ready"]`).waitFor();
  await screenshot(pickup, RESULTS_DIR, 'pickup-board', false);
});
