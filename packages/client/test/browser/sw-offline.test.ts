import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kiosk, orderIds, startKiosk } from './kiosk.js';

let kiosk: Kiosk;

beforeEach(async () => {
  kiosk = await startKiosk();
});

afterEach(async () => {
  await kiosk?.close();
});

describe('context.setOffline', () => {
  it('cuts the service worker fetches: an order posted offline reaches no backend and waits in the queue', async () => {
    await kiosk.browser.context.setOffline(true);
    const answer = await kiosk.place(1);
    expect(answer.status).toBe(202);
    expect(kiosk.server.backend.posts).toEqual([]);
    const status = await kiosk.page.evaluate(() => globalThis.ks.manager.queueStatus());
    expect(status.pending.map((o) => o.orderId)).toEqual(orderIds([1]));
  });
});
