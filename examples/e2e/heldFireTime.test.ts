import { expect, test } from 'vitest';
import { sendAsPos } from './harness/relayApi';
import { card, kitchenReady } from './harness/screens';
import { useDemo } from './harness/useDemo';

const demo = useDemo();

/** `HH:MM` (24 h) of `instant` on a clock in `timeZone`. */
const wallClock = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);

test('a held course shows its fire time on the kitchen clock, whatever zone the POS wrote it in', async () => {
  const d = demo();
  const kitchen = await d.open(d.kitchenUrl(1), undefined, { timezoneId: 'Asia/Makassar' });
  await kitchenReady(kitchen);
  const fire = new Date(Date.now() + 3 * 3_600_000);
  fire.setUTCSeconds(0, 0);
  const jakarta = `${new Date(fire.getTime() + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
  const shown: string[] = [];
  for (const [i, fireAt] of [fire.toISOString(), jakarta].entries()) {
    const orderId = crypto.randomUUID();
    const published = await sendAsPos(d, 'order:publish', {
      order_id: orderId,
      order_number: `HOLD-${i}`,
      display_number: `H00${i}`,
      outlet_id: 1,
      tenant_id: 1,
      status: 'pending',
      total_amount: '2',
      created_at: new Date().toISOString(),
      items: [
        { product_id: 101, name: 'Sate', quantity: 1, price: '1', course: 1 },
        { product_id: 102, name: 'Nasi', quantity: 1, price: '1', course: 2 },
      ],
      hold: [{ course: 2, fire_at: fireAt }],
    });
    expect(published.status).toBe(200);
    shown.push((await card(kitchen, orderId).locator('.held').textContent()) ?? '');
  }
  // Bali is UTC+8: a `Z` time cut as digits was 8 h early, a Jakarta one 1 h.
  const bali = wallClock(fire, 'Asia/Makassar');
  expect(shown).toEqual([expect.stringContaining(` ${bali}`), expect.stringContaining(` ${bali}`)]);
  expect(shown[0]).not.toContain(wallClock(fire, 'UTC'));
  expect(shown[1]).not.toContain(wallClock(fire, 'Asia/Jakarta'));
});
