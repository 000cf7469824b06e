import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { kioskReady, kitchenReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

const text = (page: Page, testid: string) =>
  page.locator(`[data-testid="${testid}"]`).first().textContent();

/** The page says, with the client's code, that it waits for central: no blank screen. */
async function expectWaitingForCentral(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('[data-testid="connection-error"]')?.textContent === 'network',
    undefined,
    { timeout: 15_000 },
  );
  const reason = await text(page, 'connection-reason');
  expect(reason).toContain('never reached central (network)');
  expect(reason).toContain('needs central once');
  expect(await page.locator('#connection-badge .label').textContent()).toBe('Waiting for central');
}

test('tablets that never reached central say so while it is down, and start once it answers', async () => {
  const d = demo();
  await d.central.setOutage(true);
  const kiosk = await d.open(d.kioskUrl());
  const kitchen = await d.open(d.kitchenUrl(1));
  const pickup = await d.open(d.pickupUrl());
  const errors: string[] = [];
  for (const page of [kiosk, kitchen, pickup]) page.on('pageerror', (e) => errors.push(e.message));

  for (const page of [kiosk, kitchen, pickup]) await expectWaitingForCentral(page);

  await d.central.setOutage(false);
  // The backoff's next attempts find central: the screens start as on any first visit.
  await kioskReady(kiosk);
  await kitchenReady(kitchen);
  await pickup.waitForFunction(
    () => document.querySelector('[data-testid="connection-mode"]')?.textContent === 'connected',
    undefined,
    { timeout: 20_000 },
  );
  for (const page of [kiosk, kitchen]) {
    await page.waitForFunction(
      () => document.querySelector('[data-testid="connection-mode"]')?.textContent === 'connected',
      undefined,
      { timeout: 20_000 },
    );
    expect(await text(page, 'connection-reason')).not.toContain('never reached central');
  }
  expect(errors).toEqual([]);
});
