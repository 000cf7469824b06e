import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kiosk, orderIds, startKiosk } from './kiosk.js';

let kiosk: Kiosk;

beforeEach(async () => {
  kiosk = await startKiosk({ noBackgroundSync: true });
});

afterEach(async () => {
  await kiosk?.close();
});

describe('without the Background Sync API (as in Safari and Firefox)', () => {
  it('replays when the page comes back online, without SYNC_NOW', async () => {
    const { backend } = kiosk.server;
    await kiosk.browser.context.setOffline(true);
    for (const n of [1, 2, 3]) expect((await kiosk.place(n)).status).toBe(202);
    await kiosk.page.waitForFunction(() => globalThis.ks.manager.queue.get()?.pending === 3, null, {
      timeout: 10_000,
    });

    await kiosk.browser.context.setOffline(false);
    await backend.waitFor('the queued orders', (b) => b.accepted.length === 3);
    expect(backend.posts.map((p) => p.idempotencyKey)).toEqual(orderIds([1, 2, 3]));
    await kiosk.page.waitForFunction(() => globalThis.ks.manager.queue.get()?.pending === 0, null, {
      timeout: 10_000,
    });
  });

  it('replays when the worker starts again after a browser restart', async () => {
    const { backend } = kiosk.server;
    await kiosk.browser.context.setOffline(true);
    for (const n of [1, 2, 3]) expect((await kiosk.place(n)).status).toBe(202);

    await kiosk.browser.restart();
    expect(backend.posts).toEqual([]);
    // Opening the page starts the worker; its start-up replay sends the queue.
    await kiosk.openPage();
    await backend.waitFor('the queued orders', (b) => b.accepted.length === 3);
    expect(backend.posts.map((p) => p.idempotencyKey)).toEqual(orderIds([1, 2, 3]));
  });
});
