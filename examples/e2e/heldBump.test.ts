import { expect, test } from 'vitest';
import { sendAsPos, storedChanges } from './harness/relayApi';
import { card, kitchenReady, tapsOpen } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('expo is not offered "Siap diambil" while a course is held, is told why, and is once it is fired', async () => {
  const d = demo();
  const expo = await d.open(d.kitchenModeUrl(1, { expo: '' }));
  await kitchenReady(expo);
  // Table 7: satay now, two nasi goreng held for course 2.
  const orderId = crypto.randomUUID();
  const published = await sendAsPos(d, 'order:publish', {
    order_id: orderId,
    order_number: 'T7-1',
    outlet_id: 1,
    tenant_id: 1,
    table: 'T7',
    status: 'pending',
    total_amount: '3',
    created_at: new Date().toISOString(),
    items: [
      { product_id: 101, name: 'Sate', quantity: 1, price: '1', course: 1, station: 'grill' },
      { product_id: 102, name: 'Nasi goreng', quantity: 2, price: '1', course: 2, station: 'wok' },
    ],
    hold: [{ course: 2 }],
  });
  expect(published.status).toBe(200);
  const ticket = card(expo, orderId);
  // Starting the ticket is offered; handing out the satay alone is not.
  await ticket.locator('[data-testid="bump"][data-next="preparing"]').click();
  await ticket.and(expo.locator('[data-status="preparing"]')).waitFor();
  await ticket.locator('[data-testid="bump-waits"]').waitFor();
  expect(await ticket.locator('[data-testid="bump"]').count()).toBe(0);
  expect(await ticket.locator('[data-testid="bump-waits"]').textContent()).toBe(
    'Course 2 masih DITAHAN: tunggu fire dari kasir, atau batalkan pesanan',
  );
  // Nor does the bump bar send it.
  await tapsOpen(expo);
  await expo.keyboard.press('1');
  await expo.keyboard.press('Enter');

  const fired = await sendAsPos(d, 'order:fire', { order_id: orderId, course: 2 });
  expect(await fired.json()).toMatchObject({ ok: true, duplicate: false });
  await ticket.locator('[data-testid="bump-waits"]').waitFor({ state: 'detached' });
  await tapsOpen(expo);
  await ticket.locator('[data-testid="bump"][data-next="ready"]').click();
  await ticket.and(expo.locator('[data-ready="true"][data-status="ready"]')).waitFor();
  // The screen shows a bump as soon as its outbox holds it; the relay logs it a moment later.
  const stored = async () =>
    (await storedChanges(d, orderId))
      .filter((c) => c.type !== 'order_acknowledged')
      .map((c) => c.type);
  await expect.poll(stored).toEqual(['new_order', 'order_updated', 'order_fired', 'order_updated']);
  expect(await expo.locator('[data-testid="rejected-entry"]').count()).toBe(0);
});
