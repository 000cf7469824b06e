import { expect, test } from 'vitest';
import { kioskReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

// The master-data sync used to wait out its whole retry backoff (about 7 s) before the kiosk
// fell back to its cached menu. The budget is far below that, and far above a normal load.
const MENU_BUDGET_MS = 4_000;

test('a kiosk loaded while central is down shows its cached menu at once', async () => {
  const d = demo();
  const kiosk = await d.open(d.kioskUrl());
  await kioskReady(kiosk);

  // The worker may hold an answer for the exact request the next load makes (it depends on
  // whether the first sync ran before or after the worker took control). Without one, as
  // after the catalog moved on, the menu must come from the page's own IndexedDB cache.
  await kiosk.evaluate(async () => {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        if (new URL(request.url).pathname.startsWith('/api/')) await cache.delete(request);
      }
    }
  });
  await d.central.setOutage(true);
  const again = await kiosk.context().newPage();
  d.pages.push(again);
  const started = Date.now();
  await again.goto(d.kioskUrl());
  await again.waitForSelector('[data-testid="cart-add"]', { timeout: 15_000 });
  const elapsed = Date.now() - started;

  expect(elapsed).toBeLessThan(MENU_BUDGET_MS);
  expect(await again.locator('[data-testid="cart-add"]').count()).toBeGreaterThan(0);
});
