import type { Order } from '@kitchen-sync/protocol';
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { Demo } from './harness/demo';
import { type StoredChange, sendAsPos, storedChanges } from './harness/relayApi';
import { card, cardIds, kitchenReady, tapsOpen } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

let counter = 0;
/** Publishes a tenant-1 order of one grill line (as a POS would); returns its id. */
async function publish(d: Demo, fields: Partial<Order> = {}): Promise<string> {
  counter += 1;
  const order: Order = {
    order_id: crypto.randomUUID(),
    order_number: `GUARD-${Date.now()}-${counter}`,
    outlet_id: 1,
    tenant_id: 1,
    status: 'pending',
    items: [
      {
        product_id: 1000 + counter,
        name: `Sate ${counter}`,
        quantity: 1,
        price: '1000',
        station: 'grill',
      },
    ],
    total_amount: '1000',
    created_at: new Date().toISOString(),
    ...fields,
  };
  expect((await sendAsPos(d, 'order:publish', order)).status).toBe(200);
  return order.order_id;
}

/** A screen with `count` grill tickets on it, oldest first. */
async function screenWith(d: Demo, mode: Record<string, string>, count: number) {
  const page = await d.open(d.kitchenModeUrl(1, mode));
  await kitchenReady(page);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await publish(d));
  for (const id of ids) await card(page, id).waitFor();
  expect(await cardIds(page)).toEqual(ids);
  return { page, ids };
}

/**
 * Where an element is on screen, once it is laid out: a card re-rendered by its ack or by the
 * next ticket's arrival is briefly detached, and a box read then is null.
 */
async function boxOf(locator: Locator) {
  let box: Awaited<ReturnType<Locator['boundingBox']>> = null;
  await expect.poll(async () => (box = await locator.boundingBox())).not.toBeNull();
  return box!;
}

/** The relay's changes of the order beyond its publish and the kitchen's ack. */
async function changes(d: Demo, orderId: string): Promise<StoredChange[]> {
  return (await storedChanges(d, orderId)).filter(
    (c) => c.type !== 'new_order' && c.type !== 'order_acknowledged',
  );
}

/** Waits until the relay has stored `count` changes of the order (the screen's sends landed). */
async function waitForChanges(d: Demo, orderId: string, count: number) {
  await expect.poll(async () => (await changes(d, orderId)).length).toBeGreaterThanOrEqual(count);
  return changes(d, orderId);
}

const GRILL_BUMP = { type: 'order_item_updated', status: 'ready', lines: ['ready'] };

/** Enter held down: the first keydown, then auto-repeat keydowns (`repeat: true`), then up. */
async function holdEnter(page: Page, repeats: number, afterFirst: () => Promise<void>) {
  await page.keyboard.down('Enter');
  await afterFirst();
  for (let i = 0; i < repeats; i++) await page.keyboard.down('Enter');
  await page.keyboard.up('Enter');
}

test('a held Enter on a station bumps the selected ticket once, not the ones that move up', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { station: 'grill' }, 3);
  await page.keyboard.press('1');
  // The repeats come once the bumped ticket has left and the next one is selected.
  await holdEnter(page, 20, () => card(page, ids[0]!).waitFor({ state: 'detached' }));
  expect(await cardIds(page)).toEqual(ids.slice(1));
  expect(await waitForChanges(d, ids[0]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, ids[1]!)).toEqual([]);
  expect(await changes(d, ids[2]!)).toEqual([]);
});

test('a bouncing Enter (a second press right after a bump) does not bump the next ticket', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { station: 'grill' }, 3);
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await card(page, ids[0]!).waitFor({ state: 'detached' });
  await page.keyboard.press('Enter');
  expect(await cardIds(page)).toEqual(ids.slice(1));
  expect(await page.locator('[data-selected]').getAttribute('data-order-id')).toBe(ids[1]);
  expect(await waitForChanges(d, ids[0]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, ids[1]!)).toEqual([]);
});

test('a held Enter on expo moves the ticket one step, not to handed out', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { expo: '' }, 2);
  await page.keyboard.press('1');
  await holdEnter(page, 20, () =>
    card(page, ids[0]!).and(page.locator('[data-status="preparing"]')).waitFor(),
  );
  expect(await card(page, ids[0]!).count()).toBe(1);
  expect(await card(page, ids[0]!).getAttribute('data-status')).toBe('preparing');
  const stored = await waitForChanges(d, ids[0]!, 1);
  expect(stored.map((c) => `${c.type} ${c.status}`)).toEqual(['order_updated preparing']);
  expect(await changes(d, ids[1]!)).toEqual([]);
});

test('a double tap on expo’s "Mulai masak" starts the ticket, it does not make it ready', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { expo: '' }, 2);
  const button = card(page, ids[0]!).locator('[data-testid="bump"]');
  expect(await button.textContent()).toBe('Mulai masak');
  const box = await boxOf(button);
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.click(x, y);
  // The second tap lands where the first did: the button there now says "Siap diambil".
  await card(page, ids[0]!).and(page.locator('[data-status="preparing"]')).waitFor();
  await page.mouse.click(x, y);
  // The relay stores in the order sent: once the bump bar's start of the second ticket has
  // landed, whatever the second tap sent has too.
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await waitForChanges(d, ids[1]!, 1);
  expect(await card(page, ids[0]!).getAttribute('data-status')).toBe('preparing');
  const stored = await changes(d, ids[0]!);
  expect(stored.map((c) => `${c.type} ${c.status}`)).toEqual(['order_updated preparing']);
});

test('a double tap on a station’s "Bump" bumps one ticket, not the one that slid under it', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { station: 'grill' }, 3);
  const box = await boxOf(card(page, ids[0]!).locator('[data-testid="bump-lines"]'));
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.click(x, y);
  await card(page, ids[0]!).waitFor({ state: 'detached' });
  // The next ticket's "Bump" is under the finger now.
  const under = await page.evaluate(
    ([px, py]) =>
      (document.elementFromPoint(px!, py!)?.closest('[data-order-id]') as HTMLElement | null)
        ?.dataset.orderId,
    [x, y],
  );
  expect(under).toBe(ids[1]);
  await page.mouse.click(x, y);
  expect(await cardIds(page)).toEqual(ids.slice(1));
  expect(await waitForChanges(d, ids[0]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, ids[1]!)).toEqual([]);
});

test('a rush ticket that arrives under a pressed finger waits; the tap bumps what was touched', async () => {
  const d = demo();
  const page = await d.open(d.kitchenModeUrl(1, { station: 'grill' }), undefined, {
    hasTouch: true,
  });
  await kitchenReady(page);
  const ids = [await publish(d), await publish(d)];
  for (const id of ids) await card(page, id).waitFor();
  const box = await boxOf(card(page, ids[0]!).locator('[data-testid="bump-lines"]'));
  const touchPoints = [{ x: box.x + box.width / 2, y: box.y + box.height / 2 }];
  const cdp = await page.context().newCDPSession(page);

  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints });
  const rush = await publish(d, { priority: 'rush' });
  // The screen has it (its all-day count is not held), but the cards stay where they are.
  await page.locator('#all-day', { hasText: `Sate ${counter}` }).waitFor();
  expect(await cardIds(page)).toEqual(ids);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });

  await card(page, ids[0]!).waitFor({ state: 'detached' });
  expect(await cardIds(page)).toEqual([rush, ids[1]]);
  expect(await waitForChanges(d, ids[0]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, rush)).toEqual([]);

  // A finger left down long enough lets the cards move on: the next rush ticket goes before
  // the touched one, and slides under the finger. Lifted there, it bumps nothing.
  const nextBox = await boxOf(card(page, ids[1]!).locator('[data-testid="bump-lines"]'));
  const onNext = [{ x: nextBox.x + nextBox.width / 2, y: nextBox.y + nextBox.height / 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: onNext });
  const later = await publish(d, { priority: 'rush' });
  await card(page, later).waitFor();
  expect(await cardIds(page)).toEqual([rush, later, ids[1]]);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  // What the relay stores is in the order sent: a bump of `ids[1]` landing means none before it.
  await tapsOpen(page);
  await card(page, ids[1]!).locator('[data-testid="bump-lines"]').click();
  expect(await waitForChanges(d, ids[1]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, later)).toEqual([]);
  expect(await changes(d, rush)).toEqual([]);
});

test('with the tenant picker focused the bump bar still works, and its arrows do not change the picker', async () => {
  const d = demo();
  const { page, ids } = await screenWith(d, { station: 'grill' }, 3);
  const url = page.url();
  await page.focus('#tenant-picker');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  expect(await page.locator('[data-selected]').getAttribute('data-order-id')).toBe(ids[1]);
  await page.keyboard.press('Enter');
  await card(page, ids[1]!).waitFor({ state: 'detached' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('tenant-picker');
  expect(await page.locator('#tenant-picker').inputValue()).toBe('1');
  expect(page.url()).toBe(url);
  expect(await waitForChanges(d, ids[1]!, 1)).toEqual([GRILL_BUMP]);
  expect(await changes(d, ids[0]!)).toEqual([]);
});
