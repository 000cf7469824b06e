import { test } from 'vitest';
import { kioskReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

test('a kiosk selling from a menu more than a day old says so', async () => {
  const d = demo();
  // The page's clock is fake (and runs): a day can pass in a moment.
  const kiosk = await d.open(d.kioskUrl(), (page) => page.clock.install());
  await kioskReady(kiosk);
  const banner = kiosk.locator('[data-testid="stale-menu"]');
  await banner.and(kiosk.locator(':empty')).waitFor({ state: 'attached' });

  // Central is gone and 25 hours pass: the cached menu is all the kiosk has (the service
  // worker answers no sync request from a cache, so nothing says "nothing new").
  await d.central.setOutage(true);
  await kiosk.clock.fastForward('25:00:00');
  await banner.filter({ hasText: 'lebih dari sehari lalu' }).waitFor();
  await kiosk.locator('[data-testid="cart-add"]').first().waitFor();
});
