import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { eventsAfter, type LoggedEvent } from './harness/relayApi';
import { kioskReady, placeOrder, waitForText } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

// How long the delivering tab's main thread is blocked (the audit saw 40 s): well past the
// 10 s without a sign of life after which another tab takes over.
const HANG_MS = 30_000;

/** What the page sends the relay (socket frames, HTTP bodies), recorded from its first load. */
function relaySends(page: Page, relayUrl: string): string[] {
  const relay = new URL(relayUrl);
  const sent: string[] = [];
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).port !== relay.port) return;
    ws.on('framesent', ({ payload }) => sent.push(String(payload)));
  });
  page.on('request', (request) => {
    if (request.url().startsWith(relay.origin)) sent.push(request.postData() ?? '');
  });
  return sent;
}

async function openKiosk(page: Page, url: string, lock: string): Promise<void> {
  await page.goto(url);
  await kioskReady(page);
  await waitForText(page, 'outbox-lock', [lock]);
}

test('a kiosk tab that hangs hands its outbox to the other tab within seconds, and nothing goes twice', {
  timeout: 120_000,
}, async () => {
  const d = demo();
  // Two tabs of one browser: one database, one Web Lock, one BroadcastChannel.
  const context = await d.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const hung = await context.newPage();
  const hungSends = relaySends(hung, d.relay.url);
  await openKiosk(hung, d.kioskUrl(), 'held');
  const other = await context.newPage();
  await openKiosk(other, d.kioskUrl(), 'waiting');
  const { last_seq: before } = await eventsAfter(d);

  // The delivering tab's main thread blocks (a long alert(), a runaway render) from its next
  // task on; this evaluate returns first, the next one only once the thread is free again.
  await hung.evaluate((ms) => {
    setTimeout(() => {
      const end = Date.now() + ms;
      while (Date.now() < end) {}
    }, 0);
  }, HANG_MS);
  const wakesAt = Date.now() + HANG_MS;
  const [orderId] = await placeOrder(other, [101]);
  expect(orderId).toBeTruthy();

  // The order reaches the relay from the other tab well before the hung one could send it.
  const isNewOrder = (e: LoggedEvent) => e.type === 'new_order' && e.order_id === orderId;
  const deadline = wakesAt - 8_000;
  const logged: LoggedEvent[] = [];
  let since = before;
  while (!logged.some(isNewOrder) && Date.now() < deadline) {
    const page = await eventsAfter(d, since, Math.ceil(Math.min(deadline - Date.now(), 30_000)));
    logged.push(...page.events);
    since = page.last_seq;
  }
  expect(logged.filter(isNewOrder)).toHaveLength(1);
  await waitForText(other, 'outbox-lock', ['held']);
  expect(await other.getByTestId('outbox-lock').getAttribute('data-took-over')).toBe('');

  // The hung tab wakes: it finds the lock gone, waits, and sends nothing the other tab sent.
  const woke = await hung.evaluate(() => Date.now());
  expect(woke).toBeGreaterThanOrEqual(wakesAt - 1_000);
  await waitForText(hung, 'outbox-lock', ['waiting']);
  await waitForText(other, 'outbox-lock', ['held']);
  expect(hungSends.filter((s) => s.includes(orderId!))).toEqual([]);
  const { events } = await eventsAfter(d, before);
  expect(events.filter((e) => e.order_id === orderId).map((e) => e.type)).toEqual(['new_order']);
  await context.close();
});
