import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { sendAsPos } from './harness/relayApi';
import { card, kioskReady, kitchenReady, placeOrder } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

// Warung Nusantara (tenant 1): 108 Sate Ayam is cooked at the grill.
const GRILL_DISH = 108;

const notice = (page: Page, orderId: string) =>
  page.locator(`[data-testid="cancel-notice"][data-order-id="${orderId}"]`);

test('a ticket the POS cancels while it is cooked stays as DIBATALKAN with the reason and an alert until dismissed; one not started leaves with a short notice', async () => {
  const d = demo();
  const kitchen = await d.open(d.kitchenUrl(1));
  const grill = await d.open(d.kitchenModeUrl(1, { station: 'grill' }));
  const kiosk = await d.open(d.kioskUrl());
  await Promise.all([kitchenReady(kitchen), kitchenReady(grill), kioskReady(kiosk)]);
  const [cooking] = await placeOrder(kiosk, [GRILL_DISH], 'Rina');
  const [waiting] = await placeOrder(kiosk, [GRILL_DISH], 'Budi');
  await card(kitchen, cooking!).locator('[data-testid="bump"]').click();
  for (const page of [kitchen, grill]) {
    await card(page, cooking!).and(page.locator('[data-status="preparing"]')).waitFor();
    await card(page, waiting!).waitFor();
  }

  const cancel = { order_id: cooking, status: 'cancelled', reason: 'Pelanggan batal' };
  expect((await sendAsPos(d, 'order:update', cancel)).status).toBe(200);
  for (const page of [kitchen, grill]) {
    await notice(page, cooking!).waitFor();
    await card(page, cooking!).waitFor({ state: 'detached' });
    expect(await notice(page, cooking!).getAttribute('data-started')).toBe('true');
    expect(await notice(page, cooking!).textContent()).toContain('DIBATALKAN');
    expect(await notice(page, cooking!).locator('.number').textContent()).toBe('#A001');
    expect(
      await notice(page, cooking!).locator('[data-testid="cancel-reason"]').textContent(),
    ).toBe('Alasan: Pelanggan batal');
    expect(await page.locator('body').getAttribute('data-cancel-alerts')).toBe('1');
  }

  // Not started yet, cancelled at the kiosk with the reason left empty: a notice that does not
  // ask to stop cooking, and leaves by itself.
  kiosk.once('dialog', (dialog) => void dialog.accept(''));
  await card(kiosk, waiting!).locator('[data-testid="order-cancel"]').click();
  await notice(kitchen, waiting!).waitFor();
  expect(await notice(kitchen, waiting!).getAttribute('data-started')).toBe('false');
  expect(
    await notice(kitchen, waiting!).locator('[data-testid="cancel-reason"]').textContent(),
  ).toBe('Tanpa alasan');
  expect(await kitchen.locator('body').getAttribute('data-cancel-alerts')).toBe('2');

  // The cook has seen it: OK takes the notice away on this screen only.
  await notice(kitchen, cooking!).locator('[data-testid="cancel-dismiss"]').click();
  await notice(kitchen, cooking!).waitFor({ state: 'detached' });
  expect(await notice(grill, cooking!).count()).toBe(1);

  // A reload brings the cancelled orders back from storage as they are: no notice, no alert.
  await grill.reload();
  await kitchenReady(grill);
  expect(await grill.locator('[data-testid="cancel-notice"]').count()).toBe(0);
  expect(await grill.locator('body').getAttribute('data-cancel-alerts')).toBeNull();
});
